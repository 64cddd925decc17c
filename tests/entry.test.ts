// The two names of the entry point (bin/fabric.cjs, and bin/fabric.mjs kept for
// scripts that call it) run the same CLI; without a build they say so, with no stack trace.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { freshBundleBin } from './helpers/bundle.ts';
import { fromRoot } from './helpers/paths.ts';

const STACK_FRAME = /^ {4}at /m;

/** A package layout of bin/ (and dist/ when built) under node_modules/.cache, so that packages resolve. */
function layout(built: boolean, body: (root: string) => void) {
  const root = mkdtempSync(join(fromRoot('node_modules/.cache'), 'fabric-entry-'));
  try {
    mkdirSync(join(root, 'bin'));
    for (const name of ['fabric.cjs', 'fabric.mjs']) cpSync(fromRoot(`bin/${name}`), join(root, 'bin', name));
    if (built) cpSync(dirname(freshBundleBin()), join(root, 'dist'), { recursive: true });
    body(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const run = (file: string, ...args: string[]) => spawnSync(process.execPath, [file, ...args], { encoding: 'utf8' });

test('bin/fabric.cjs and bin/fabric.mjs run the same CLI', () =>
  layout(true, (root) => {
    const [cjs, mjs] = ['fabric.cjs', 'fabric.mjs'].map((name) => run(join(root, 'bin', name), '--version'));
    assert.is(cjs.status, 0, cjs.stderr);
    assert.match(cjs.stdout, /^\d+\.\d+\.\d+/);
    assert.equal({ status: mjs.status, stdout: mjs.stdout }, { status: 0, stdout: cjs.stdout });
  }));

test('without dist/ both names say the CLI is not built and how to build it, exit 3, no stack trace', () =>
  layout(false, (root) => {
    for (const name of ['fabric.cjs', 'fabric.mjs']) {
      const r = run(join(root, 'bin', name), 'compile', '--check');
      assert.is(r.status, 3, `${name}: ${r.stderr}`);
      assert.match(r.stderr, /the CLI is not built in .*\(no dist\/\)\nhint: run npm install/);
      assert.not.match(r.stderr, STACK_FRAME);
    }
  }));

test.run();
