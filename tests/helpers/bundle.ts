// A bundle of the current sources, built once per test run into a directory
// of its own (dist/ may be in use or stale). It sits under node_modules/.cache
// so that the packages it leaves external resolve as they do from dist/.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fromRoot, repoRoot } from './paths.ts';

let dir: string | undefined;

/** Path of a script that runs the freshly bundled CLI (what bin/fabric.cjs is to dist/). */
export function freshBundleBin(): string {
  if (!dir) {
    const outdir = fromRoot(`node_modules/.cache/fabric-test-bundle-${process.pid}`);
    rmSync(outdir, { recursive: true, force: true });
    mkdirSync(outdir, { recursive: true });
    process.on('exit', () => rmSync(outdir, { recursive: true, force: true }));
    const r = spawnSync(process.execPath, ['scripts/build.mjs', '--outdir', outdir], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 300_000,
    });
    if (r.status !== 0) throw new Error(`scripts/build.mjs failed:\n${r.stdout}\n${r.stderr}`);
    dir = outdir;
  }
  return join(dir, 'loader.cjs');
}
