// Files generated from schema/fabric.schema.json must be current: the
// fabric.yaml reference in README.md and compiler/spec-types.ts.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromRoot, repoRoot } from './helpers/paths.ts';

const node = (script: string, args: string[], cwd = repoRoot) =>
  spawnSync(process.execPath, [script, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
const START = '<!-- spec-reference:start -->';
const END = '<!-- spec-reference:end -->';

test('the fabric.yaml reference in README.md is current (node scripts/gen-spec-docs.mjs --check)', () => {
  const r = node('scripts/gen-spec-docs.mjs', ['--check']);
  assert.is(r.status, 0, r.stderr);
});

test('compiler/spec-types.ts is current (node scripts/gen-types.mjs --check)', () => {
  const r = node('scripts/gen-types.mjs', ['--check']);
  assert.is(r.status, 0, r.stderr);
});

test('the reference has a table for each section and a row for every key of the schema', () => {
  const readme = readFileSync(fromRoot('README.md'), 'utf8');
  const block = readme.slice(readme.indexOf(START), readme.indexOf(END));
  for (const heading of [
    'Top level',
    '`git`',
    '`platform`',
    '`backends`',
    '`clusters.<name>`',
    '`environments.<env>`',
    '`grafana`',
    '`apps.<name>`',
    '`alerts`',
    'Value formats',
  ]) {
    assert.ok(block.includes(`\n### ${heading}\n`), `no section ${heading}`);
  }
  const schema = JSON.parse(readFileSync(fromRoot('schema/fabric.schema.json'), 'utf8'));
  const keys = new Set<string>();
  const collect = (s: { properties?: Record<string, unknown> }) =>
    Object.keys(s.properties ?? {}).forEach((k) => keys.add(k));
  collect(schema);
  for (const def of Object.values(
    schema.$defs as Record<string, { properties?: Record<string, { properties?: Record<string, unknown> }> }>,
  )) {
    collect(def);
    for (const prop of Object.values(def.properties ?? {})) collect(prop);
  }
  for (const key of keys)
    assert.match(
      block,
      new RegExp(`^\\| \`([A-Za-z0-9]+\\.)*${key.replace('$', '\\$')}\` \\|`, 'm'),
      `no row for ${key}`,
    );
});

test('--check fails on a stale reference; a run rewrites only what is between the markers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fabric-spec-docs-'));
  mkdirSync(join(dir, 'scripts'));
  mkdirSync(join(dir, 'schema'));
  copyFileSync(fromRoot('scripts/gen-spec-docs.mjs'), join(dir, 'scripts/gen-spec-docs.mjs'));
  copyFileSync(fromRoot('schema/fabric.schema.json'), join(dir, 'schema/fabric.schema.json'));
  const before = '# fabric\n\nintro, kept\n\n';
  const after = '\n\n## after, kept\n';
  writeFileSync(join(dir, 'README.md'), `${before}${START}\nstale\n${END}${after}`);

  const stale = node('scripts/gen-spec-docs.mjs', ['--check'], dir);
  assert.is(stale.status, 1);
  assert.match(stale.stderr, /README\.md is stale: run node scripts\/gen-spec-docs\.mjs/);

  assert.is(node('scripts/gen-spec-docs.mjs', [], dir).status, 0);
  const written = readFileSync(join(dir, 'README.md'), 'utf8');
  assert.ok(written.startsWith(`${before}${START}\n`), 'text before the markers changed');
  assert.ok(written.endsWith(`${END}${after}`), 'text after the markers changed');
  assert.not.ok(written.includes('stale'));
  assert.is(node('scripts/gen-spec-docs.mjs', ['--check'], dir).status, 0, 'a fresh run is current');

  writeFileSync(join(dir, 'README.md'), '# no markers\n');
  const unmarked = node('scripts/gen-spec-docs.mjs', ['--check'], dir);
  assert.is(unmarked.status, 1);
  assert.match(unmarked.stderr, /must contain <!-- spec-reference:start -->/);
});

test.run();
