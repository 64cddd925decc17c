// The compile stamp (compiler/stamp.ts): a compile of the same spec, by the
// same build, into a tree nobody touched says "up to date" without rendering;
// anything else that could change the output takes a normal compile. Run
// through the bundle, which alone has a build id.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { freshBundleBin } from './helpers/bundle.ts';
import { fromRoot, repoRoot } from './helpers/paths.ts';

const FAST = /untouched since the last compile of this spec/;

function sandbox() {
  const dir = mkdtempSync(join(tmpdir(), 'fabric-stamp-'));
  const spec = join(dir, 'fabric.yaml');
  copyFileSync(fromRoot('spec/fabric.yaml'), spec);
  const out = join(dir, 'out');
  const cache = join(dir, 'cache');
  const compile = (extra: string[] = [], env: Record<string, string> = {}, specPath = spec) => {
    const r = spawnSync(process.execPath, [freshBundleBin(), 'compile', '--spec', specPath, '--out', out, ...extra], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, FABRIC_CACHE_DIR: cache, NO_COLOR: '1', ...env },
    });
    return { status: r.status, stderr: r.stderr, text: r.stdout + r.stderr };
  };
  const stampFiles = () => readdirSync(join(cache, 'stamps')).map((f) => join(cache, 'stamps', f));
  return { dir, spec, out, compile, stampFiles, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** inode:mtime:ctime of every file, to show a run wrote nothing. */
function snapshot(dir: string): string {
  const rows: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const st = lstatSync(join(d, e), { bigint: true });
      if (st.isDirectory()) walk(join(d, e));
      else rows.push(`${join(d, e)} ${st.ino}:${st.mtimeNs}:${st.ctimeNs}`);
    }
  };
  walk(dir);
  return rows.join('\n');
}

/** The files of the reference tree: the committed golden's manifest. */
const FILES: number = JSON.parse(readFileSync(fromRoot('out/.fabric/manifest.json'), 'utf8')).files.length;

test('the same spec again: up to date without rendering, nothing written; FABRIC_NO_STAMP turns it off', () => {
  const s = sandbox();
  try {
    assert.match(s.compile().text, new RegExp(`\\b${FILES} written`));
    const before = snapshot(s.out);
    const again = s.compile();
    assert.is(again.status, 0);
    assert.match(again.text, FAST);
    assert.is(snapshot(s.out), before, 'nothing written');
    assert.is(s.stampFiles().length, 1, 'one stamp, in the cache, not in the tree');
    assert.is(snapshot(s.out).split('\n').length, FILES, `the tree holds the ${FILES} files fabric wrote, no more`);
    const off = s.compile([], { FABRIC_NO_STAMP: '1' });
    assert.match(off.text, new RegExp(`up to date \\(${FILES} files\\)\n`));
    const json = JSON.parse(s.compile(['--json']).text);
    assert.equal(json, { format: 1, out: s.out, written: [], removed: [], unchanged: FILES });
  } finally {
    s.done();
  }
});

test('a file changed in the clock tick the stamp was written is not trusted (git: "racily clean")', () => {
  const s = sandbox();
  try {
    s.compile();
    const [stamp] = s.stampFiles();
    // Written once every file's change was in the past, so the next compile trusts them all.
    const lastChange = snapshot(s.out)
      .split('\n')
      .map((row) => BigInt(row.split(':').pop()!))
      .reduce((a, b) => (a > b ? a : b));
    assert.ok(lstatSync(stamp, { bigint: true }).mtimeNs > lastChange, 'the stamp is newer than every file');
    assert.match(s.compile().text, FAST);
    // A stamp no newer than the files (as when a file is edited in the tick it was written): nothing is taken
    // on trust, so the compile compares the tree and finds it current, writing nothing.
    utimesSync(stamp, new Date(0), new Date(0));
    const before = snapshot(s.out);
    const again = s.compile();
    assert.is(again.status, 0);
    assert.not.match(again.text, FAST);
    assert.match(again.text, new RegExp(`up to date \\(${FILES} files\\)\n`));
    assert.is(snapshot(s.out), before, 'nothing written');
  } finally {
    s.done();
  }
});

test('a hand edit that keeps size and mtime, a removed file, a replaced file: each is seen and repaired', () => {
  const s = sandbox();
  try {
    s.compile();
    const readme = join(s.out, 'README.md');
    const text = readFileSync(readme, 'utf8');
    const { mtime, atime } = lstatSync(readme);
    writeFileSync(readme, text.replace('Generated', 'generated'));
    utimesSync(readme, atime, mtime); // same size, same mtime: only ctime tells
    const edited = s.compile();
    assert.not.match(edited.text, FAST);
    assert.match(edited.text, /1 written/);
    assert.is(readFileSync(readme, 'utf8'), text);

    rmSync(join(s.out, 'gitops/argocd-apps/projects.yaml'));
    assert.match(s.compile().text, /1 written/);

    const rules = join(s.out, 'gitops/components/alerting-rules/overlays/prod/rules.yaml');
    const copy = `${rules}.copy`;
    copyFileSync(rules, copy);
    renameSync(copy, rules); // the same bytes, another file
    const replaced = s.compile();
    assert.not.match(replaced.text, FAST);
    assert.match(
      replaced.text,
      new RegExp(`up to date \\(${FILES} files\\)\n`),
      'same bytes: nothing to write, and a new stamp',
    );
    assert.match(s.compile().text, FAST);
  } finally {
    s.done();
  }
});

test('a changed spec, another build, a damaged stamp, --check/--verify/--push, a linked out dir: a normal compile', () => {
  const s = sandbox();
  try {
    s.compile();
    writeFileSync(s.spec, readFileSync(s.spec, 'utf8').replace('metrics: 30d', 'metrics: 31d'));
    assert.match(s.compile().text, /written/);
    assert.match(s.compile().text, FAST);

    const [stamp] = s.stampFiles();
    writeFileSync(stamp, readFileSync(stamp, 'utf8').replace(/"build":"[0-9a-f]+"/, '"build":"another"'));
    assert.not.match(s.compile().text, FAST);
    assert.match(s.compile().text, FAST, 'the normal compile wrote a stamp of this build');

    writeFileSync(stamp, '{ not json');
    const damaged = s.compile();
    assert.is(damaged.status, 0);
    assert.not.match(damaged.text, FAST);

    const check = s.compile(['--check']);
    assert.is(check.status, 0);
    assert.match(check.text, /is up to date\n/);

    const real = join(s.dir, 'real-out');
    renameSync(s.out, real);
    symlinkSync(real, s.out);
    const linked = s.compile();
    assert.is(linked.status, 3, linked.text);
    assert.match(linked.text, /symbolic link/);
  } finally {
    s.done();
  }
});

test('warnings print on the fast path as on a normal compile', () => {
  const s = sandbox();
  try {
    const spec = fromRoot('tests/fixtures/bad/warning-fab016-norway.yaml');
    const first = s.compile([], {}, spec);
    const again = s.compile([], {}, spec);
    assert.match(again.text, FAST);
    assert.match(first.stderr, /FAB016/);
    assert.is(again.stderr, first.stderr);
  } finally {
    s.done();
  }
});

test.run();
