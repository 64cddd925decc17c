// A command line the compile stamp answered is answered again from its record
// without reading the bundle (compiler/cli/replay.ts), only while the stamp
// holds, and only for the very same command line. Shown with a copy of the
// bundle whose fabric.cjs is removed once the record exists: a replayed run
// still answers, anything that needs fabric itself fails to load it.
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DECIDING_ENV } from '../compiler/cli/replay.ts';
import { freshBundleBin } from './helpers/bundle.ts';
import { fromRoot } from './helpers/paths.ts';

/** A copy of the fresh bundle and a work dir; `fabric(args)` runs the copy in the work dir. */
function withBundleCopy(
  body: (s: {
    dir: string;
    fabric: (...args: string[]) => ReturnType<typeof spawnSync>;
    /** As fabric, under `node --require preload`. */
    fabricWith: (preload: string, ...args: string[]) => ReturnType<typeof spawnSync>;
    dropBundle: () => void;
  }) => void,
) {
  // Under node_modules/.cache, as the fresh bundle, so that its packages resolve until fabric.cjs goes.
  const bundle = mkdtempSync(join(fromRoot('node_modules/.cache'), 'fabric-replay-'));
  const dir = mkdtempSync(join(tmpdir(), 'fabric-replay-'));
  try {
    cpSync(dirname(freshBundleBin()), bundle, { recursive: true });
    const node = (...args: string[]) =>
      spawnSync(process.execPath, args, {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, FABRIC_CACHE_DIR: join(dir, 'cache'), NO_COLOR: '1' },
      });
    const loader = join(bundle, 'loader.cjs');
    body({
      dir,
      fabric: (...args) => node(loader, ...args),
      fabricWith: (preload, ...args) => node('--require', preload, loader, ...args),
      dropBundle: () => rmSync(join(bundle, 'fabric.cjs')),
    });
  } finally {
    rmSync(bundle, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the same no-op command line again prints the same answer without the bundle; any change loads it', () =>
  withBundleCopy(({ dir, fabric, fabricWith, dropBundle }) => {
    copyFileSync(fromRoot('spec/fabric.yaml'), join(dir, 'fabric.yaml'));
    const run = (...extra: string[]) => fabric('compile', '--spec', 'fabric.yaml', '--out', 'out', ...extra);
    assert.is(run().status, 0, 'the first compile');
    const answered = run();
    assert.is(answered.status, 0, String(answered.stderr));
    assert.match(String(answered.stdout), /untouched since the last compile of this spec/);
    assert.is(readdirSync(join(dir, 'cache/answers')).length, 1, 'the answer is recorded');

    dropBundle();
    const replayed = run();
    assert.equal(
      { status: replayed.status, stdout: replayed.stdout, stderr: replayed.stderr },
      { status: 0, stdout: answered.stdout, stderr: answered.stderr },
      'the same bytes, without fabric.cjs',
    );
    // Loading node:crypto costs the replay ~6 ms (compiler/digest.ts), and creating process.stdout of
    // a pipe (Node's stream and socket code, node:net) ~5 ms: a replay must need neither.
    const preload = join(dir, 'report-modules.cjs');
    writeFileSync(
      preload,
      `process.on('exit', () => {
        const loaded = ['crypto', 'net'].filter((m) => process.moduleLoadList.includes('NativeModule ' + m));
        require('node:fs').writeSync(2, 'loaded: [' + loaded.join(' ') + ']\\n');
      });`,
    );
    const watched = fabricWith(preload, 'compile', '--spec', 'fabric.yaml', '--out', 'out');
    assert.is(watched.status, 0, String(watched.stderr));
    assert.match(String(watched.stdout), /untouched since the last compile of this spec/);
    assert.match(String(watched.stderr), /^loaded: \[\]$/m);
    assert.is.not(run('--json').status, 0, 'another command line is not answered from this record');
    appendFileSync(join(dir, 'out/README.md'), '\n');
    const edited = run();
    assert.is.not(edited.status, 0, 'a file changed: the stamp no longer holds, fabric itself must answer');
    assert.match(String(edited.stderr), /fabric\.cjs/);
  }));

test('a spec the CLI found, not named, is found again: a fabric.yaml that appears since is not answered for', () =>
  withBundleCopy(({ dir, fabric, dropBundle }) => {
    mkdirSync(join(dir, 'spec'));
    copyFileSync(fromRoot('spec/fabric.yaml'), join(dir, 'spec/fabric.yaml'));
    const run = () => fabric('compile', '--out', 'out');
    assert.is(run().status, 0, 'compile of the spec found at spec/fabric.yaml');
    assert.match(String(run().stdout), /untouched since the last compile of this spec/);
    dropBundle();
    assert.is(run().status, 0, 'replayed while spec/fabric.yaml is still the one found');
    copyFileSync(fromRoot('spec/fabric.yaml'), join(dir, 'fabric.yaml'));
    const found = run();
    assert.is.not(found.status, 0, './fabric.yaml is found first now: fabric itself must answer');
    assert.match(String(found.stderr), /fabric\.cjs/);
  }));

/**
 * Variables an answered compile may read that are not in the answer's key, and why that is safe:
 * neither changes what the same command line prints in the same working directory.
 */
const NOT_DECIDING: Record<string, string> = {
  XDG_CACHE_HOME: 'where the cache lives: another cache holds other records, so none is replayed for it',
};

test('every environment variable an answered compile or its replay reads is in the answer key, or cannot change the answer', () =>
  withBundleCopy(({ dir, fabricWith }) => {
    copyFileSync(fromRoot('spec/fabric.yaml'), join(dir, 'fabric.yaml'));
    // The cache found as most users have it (XDG_CACHE_HOME or ~/.cache), not named by FABRIC_CACHE_DIR.
    const xdgCache = join(dir, 'report-cache.cjs');
    writeFileSync(
      xdgCache,
      `process.env.XDG_CACHE_HOME = process.env.FABRIC_CACHE_DIR; delete process.env.FABRIC_CACHE_DIR;`,
    );
    // Records each variable read, except by the key's own listing of the environment.
    const preload = join(dir, 'report-env.cjs');
    const log = join(dir, 'env-reads');
    writeFileSync(
      preload,
      `require(${JSON.stringify(xdgCache)});
      const { appendFileSync } = require('node:fs');
      const seen = (key) => typeof key === 'string' && !/at invocation /.test(new Error().stack) && appendFileSync(${JSON.stringify(log)}, key + '\\n');
      const env = process.env;
      process.env = new Proxy(env, {
        get: (target, key) => (seen(key), target[key]),
        has: (target, key) => (seen(key), key in target),
      });`,
    );
    // Only a compile the stamp answered is recorded (scripts/bundle-loader.cjs): the first one is not.
    for (const extra of [[], ['--json']]) {
      const args = ['compile', '--spec', 'fabric.yaml', '--out', 'out', ...extra];
      assert.is(fabricWith(xdgCache, ...args).status, 0, `${extra}: without the proxy`);
      for (const run of ['answered by the stamp, recorded', 'replayed']) {
        const r = fabricWith(preload, ...args);
        assert.is(r.status, 0, `${extra} ${run}: ${r.stderr}`);
      }
    }
    assert.is(readdirSync(join(dir, 'cache/fabric/answers')).length, 2, 'each command line has its answer');
    const read = [...new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean))].sort();
    assert.ok(read.includes('FABRIC_NO_STAMP') && read.includes('XDG_CACHE_HOME'), `the proxy saw too little: ${read}`);
    const unaccounted = read.filter((key) => !DECIDING_ENV.test(key) && !(key in NOT_DECIDING));
    assert.equal(unaccounted, [], 'an answered compile reads a variable that the answer key leaves out');
  }));

test.run();
