// An edit loop (issue 20): a recompile into the tree of the previous spec
// writes only what changed and leaves exactly the bytes a fresh compile of
// the edited spec writes into an empty directory, also when the compile stamp
// is damaged or stale and when a file in the tree was edited by hand. Through
// the bundle, which alone records stamps.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fleetSpec } from '../scripts/fleet-spec.mjs';
import { freshBundleBin } from './helpers/bundle.ts';
import { repoRoot } from './helpers/paths.ts';

function sandbox() {
  const dir = mkdtempSync(join(tmpdir(), 'fabric-incremental-'));
  const cache = join(dir, 'cache');
  const compile = (spec: string, out: string, extra: string[] = []) => {
    const r = spawnSync(
      process.execPath,
      [freshBundleBin(), 'compile', '--spec', spec, '--out', out, '--json', ...extra],
      {
        cwd: repoRoot,
        encoding: 'utf8',
        env: { ...process.env, FABRIC_CACHE_DIR: cache, NO_COLOR: '1' },
      },
    );
    assert.is(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as { written: string[]; removed: string[]; unchanged: number };
  };
  const stamps = () => readdirSync(join(cache, 'stamps')).map((f) => join(cache, 'stamps', f));
  return { dir, compile, stamps, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Every file under dir with its bytes. */
function tree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else files.set(relative(dir, p), readFileSync(p, 'latin1'));
    }
  };
  walk(dir);
  return files;
}

function assertSameTree(actual: string, expected: string, what: string) {
  const a = tree(actual);
  const e = tree(expected);
  assert.equal([...a.keys()].sort(), [...e.keys()].sort(), `${what}: the same files`);
  const differ = [...e.keys()].filter((p) => a.get(p) !== e.get(p));
  assert.equal(differ, [], `${what}: the same bytes`);
}

const ENVS = 4;
const base = fleetSpec(ENVS);
const edits: [string, string][] = [
  // One environment's retention: one Mimir config and the manifest (the spec's hash).
  ['retention of env-002', base.replace(/(env-002:\n(?:\s+.*\n)*?\s+metrics: )(\S+)/, '$145d')],
  // An environment removed (its clusters, hosts and ports go with it): files pruned.
  ['env-004 removed', fleetSpec(ENVS - 1)],
  // Back to the first spec: the pruned files come back.
  ['back to the start', base],
];

test('each edit compiled into the previous tree gives the bytes of a fresh compile of the edited spec', () => {
  const s = sandbox();
  try {
    const spec = join(s.dir, 'fabric.yaml');
    const out = join(s.dir, 'out');
    writeFileSync(spec, base);
    s.compile(spec, out);
    for (const [what, text] of edits) {
      assert.is.not(text, readFileSync(spec, 'utf8'), `${what}: the edit applies`);
      writeFileSync(spec, text);
      const edited = s.compile(spec, out);
      const fresh = join(s.dir, `fresh-${what.replace(/\W+/g, '-')}`);
      const full = s.compile(spec, fresh);
      assertSameTree(out, fresh, what);
      assert.ok(edited.written.length < full.written.length, `${what}: ${edited.written.length} written`);
      assert.ok(edited.written.includes('.fabric/manifest.json'), `${what}: the manifest names the new spec`);
    }
    assert.equal(s.compile(spec, out).written, [], 'nothing left to write');
  } finally {
    s.done();
  }
});

test('a damaged or stale stamp, and a file edited by hand, still end in the bytes of a fresh compile', () => {
  const s = sandbox();
  try {
    const spec = join(s.dir, 'fabric.yaml');
    const out = join(s.dir, 'out');
    writeFileSync(spec, base);
    s.compile(spec, out);
    const [stamp] = s.stamps();
    const stale = readFileSync(stamp, 'utf8');

    // A hand edit that keeps the size, after the stamp was written: `--check` sees it, and the next compile repairs it.
    const rules = join(out, 'gitops/components/alerting-rules/overlays/env-001/rules.yaml');
    writeFileSync(rules, readFileSync(rules, 'utf8').replace('Generated', 'generated'));
    const check = spawnSync(
      process.execPath,
      [freshBundleBin(), 'compile', '--spec', spec, '--out', out, '--check', '--json'],
      { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, FABRIC_CACHE_DIR: join(s.dir, 'cache') } },
    );
    assert.is(check.status, 4, check.stderr);
    assert.equal(JSON.parse(check.stdout).different, [relative(out, rules)], '--check names the hand-edited file');
    writeFileSync(spec, edits[0][1]);
    const edited = s.compile(spec, out);
    assert.ok(edited.written.includes(relative(out, rules)), 'the hand-edited file is rewritten');

    // The stamp of the earlier tree put back (stale), then a damaged one: each compile still repairs.
    writeFileSync(rules, readFileSync(rules, 'utf8').replace('Generated', 'generated'));
    writeFileSync(stamp, stale);
    assert.ok(s.compile(spec, out).written.includes(relative(out, rules)), 'a stale stamp is not trusted');
    writeFileSync(rules, readFileSync(rules, 'utf8').replace('Generated', 'generated'));
    writeFileSync(stamp, stale.slice(0, stale.length / 2));
    assert.ok(s.compile(spec, out).written.includes(relative(out, rules)), 'a damaged stamp is not trusted');

    const fresh = join(s.dir, 'fresh');
    s.compile(spec, fresh);
    assertSameTree(out, fresh, 'after the repairs');
  } finally {
    s.done();
  }
});

test.run();
