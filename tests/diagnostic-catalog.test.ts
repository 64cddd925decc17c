// The catalog of diagnostic codes (compiler/diagnostic-catalog.ts) is complete
// and in use: every code fabric emits has an entry, every entry is emitted
// somewhere and has a bad-spec fixture (or says why not), every check declares
// its codes, and docs/diagnostics.md is generated from it and current.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CATALOG, type Code } from '../compiler/diagnostic-catalog.ts';
import { CHECKS } from '../compiler/validate/checks/index.ts';
import { fromRoot, repoRoot } from './helpers/paths.ts';

const FIXTURES = 'tests/fixtures/bad';
const codes = Object.keys(CATALOG) as Code[];
const node = (args: string[], cwd = repoRoot) =>
  spawnSync(process.execPath, args, { cwd, encoding: 'utf8', timeout: 120_000 });

/** The code each fixture's first line expects. */
const expected = new Set(
  readdirSync(fromRoot(FIXTURES))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => /^# expect: (FAB\d{3})/.exec(readFileSync(fromRoot(`${FIXTURES}/${f}`), 'utf8'))?.[1]),
);

/** Every FABnnn written in compiler/ outside the catalog itself. */
function codesInSource(): Set<string> {
  const found = new Set<string>();
  for (const entry of readdirSync(fromRoot('compiler'), { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name === 'diagnostic-catalog.ts') continue;
    const text = readFileSync(join(entry.parentPath, entry.name), 'utf8');
    for (const m of text.matchAll(/'(FAB\d{3})'/g)) found.add(m[1]);
  }
  return found;
}

test('every entry has a name, summary, example and fix; names are unique kebab-case', () => {
  const names = new Set<string>();
  for (const code of codes) {
    const e = CATALOG[code];
    assert.match(code, /^FAB\d{3}$/);
    assert.match(e.name, /^[a-z0-9.]+(-[a-z0-9.]+)*$/, code);
    assert.not.ok(names.has(e.name), `${code}: name ${e.name} used twice`);
    names.add(e.name);
    for (const field of ['summary', 'example', 'fix'] as const) assert.ok(e[field].length > 10, `${code}: no ${field}`);
  }
});

test('every code emitted in compiler/ has an entry, and every entry is emitted somewhere', () => {
  const used = codesInSource();
  assert.equal([...used].filter((c) => !(c in CATALOG)).sort(), [], 'codes without a catalog entry');
  assert.equal(
    codes.filter((c) => !used.has(c)),
    [],
    'catalog entries no code emits',
  );
});

test('every code has a fixture in tests/fixtures/bad that expects it, or says why not', () => {
  const missing = codes.filter((c) => !expected.has(c) && !('noFixture' in CATALOG[c]));
  assert.equal(missing, [], 'codes without a fixture (add one, or a noFixture reason)');
  const stale = codes.filter((c) => expected.has(c) && 'noFixture' in CATALOG[c]);
  assert.equal(stale, [], 'codes with a fixture that still give a reason for having none');
});

test('every check declares its codes, each once among the checks that emit it, and is named as its file', () => {
  const files = readdirSync(fromRoot('compiler/validate/checks')).filter((f) => f !== 'index.ts');
  assert.equal(CHECKS.map((c) => `${c.name}.ts`).sort(), files.sort(), 'checks/index.ts lists every check file');
  for (const check of CHECKS) {
    assert.ok(check.codes.length > 0, `${check.name} declares no codes`);
    const source = readFileSync(fromRoot(`compiler/validate/checks/${check.name}.ts`), 'utf8');
    const reported = new Set([...source.matchAll(/'(FAB\d{3})'/g)].map((m) => m[1]));
    assert.equal([...reported].sort(), [...check.codes].sort(), `${check.name}: codes written vs declared`);
  }
});

test('docs/diagnostics.md is current (node scripts/gen-diagnostics-docs.mjs --check) and has every code', () => {
  const r = node(['scripts/gen-diagnostics-docs.mjs', '--check']);
  assert.is(r.status, 0, r.stderr);
  const doc = readFileSync(fromRoot('docs/diagnostics.md'), 'utf8');
  for (const code of codes) {
    const section = doc.slice(doc.indexOf(`### ${code} `));
    assert.ok(doc.includes(`### ${code} ${CATALOG[code].name}\n`), `no section for ${code}`);
    assert.match(section, /Example:\n\n```/, `${code}: no example`);
    assert.match(section, /\nFix: \S/, `${code}: no fix`);
  }
});

test('--check fails on a stale doc; a run writes it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fabric-diag-docs-'));
  for (const sub of ['scripts', 'compiler', 'docs']) mkdirSync(join(dir, sub));
  copyFileSync(fromRoot('scripts/gen-diagnostics-docs.mjs'), join(dir, 'scripts/gen-diagnostics-docs.mjs'));
  copyFileSync(fromRoot('compiler/diagnostic-catalog.ts'), join(dir, 'compiler/diagnostic-catalog.ts'));
  // The script imports tsx: the copy uses this checkout's node_modules.
  symlinkSync(fromRoot('node_modules'), join(dir, 'node_modules'));
  const run = (args: string[]) => spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  writeFileSync(join(dir, 'docs/diagnostics.md'), '# stale\n');
  const stale = run(['scripts/gen-diagnostics-docs.mjs', '--check']);
  assert.is(stale.status, 1, stale.stderr);
  assert.match(stale.stderr, /docs\/diagnostics\.md is stale: run node scripts\/gen-diagnostics-docs\.mjs/);
  assert.is(run(['scripts/gen-diagnostics-docs.mjs']).status, 0);
  assert.is(
    readFileSync(join(dir, 'docs/diagnostics.md'), 'utf8'),
    readFileSync(fromRoot('docs/diagnostics.md'), 'utf8'),
  );
});

test.run();
