// Files generated from schema/fabric.schema.json must be current: the
// fabric.yaml reference in docs/spec.md and compiler/spec-types.ts.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromRoot, repoRoot } from './helpers/paths.ts';

const node = (script: string, args: string[], cwd = repoRoot) =>
  spawnSync(process.execPath, [script, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });

test('docs/spec.md, the fabric.yaml reference, is current (node scripts/gen-spec-docs.mjs --check)', () => {
  const r = node('scripts/gen-spec-docs.mjs', ['--check']);
  assert.is(r.status, 0, r.stderr);
});

test('compiler/spec-types.ts is current (node scripts/gen-types.mjs --check)', () => {
  const r = node('scripts/gen-types.mjs', ['--check']);
  assert.is(r.status, 0, r.stderr);
});

test('the reference has a table for each section and a row for every key of the schema', () => {
  const block = readFileSync(fromRoot('docs/spec.md'), 'utf8');
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

test('--check fails on a stale or missing docs/spec.md; a run writes it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fabric-spec-docs-'));
  for (const sub of ['scripts', 'schema', 'docs']) mkdirSync(join(dir, sub));
  copyFileSync(fromRoot('scripts/gen-spec-docs.mjs'), join(dir, 'scripts/gen-spec-docs.mjs'));
  copyFileSync(fromRoot('schema/fabric.schema.json'), join(dir, 'schema/fabric.schema.json'));

  const missing = node('scripts/gen-spec-docs.mjs', ['--check'], dir);
  assert.is(missing.status, 1);
  assert.match(missing.stderr, /docs\/spec\.md is stale: run node scripts\/gen-spec-docs\.mjs/);

  writeFileSync(join(dir, 'docs/spec.md'), 'stale\n');
  assert.is(node('scripts/gen-spec-docs.mjs', ['--check'], dir).status, 1);
  assert.is(node('scripts/gen-spec-docs.mjs', [], dir).status, 0);
  const written = readFileSync(join(dir, 'docs/spec.md'), 'utf8');
  assert.is(written, readFileSync(fromRoot('docs/spec.md'), 'utf8'));
  assert.is(node('scripts/gen-spec-docs.mjs', ['--check'], dir).status, 0, 'a fresh run is current');
});

test.run();
