// One direction of imports: the command line (compiler/cli/) uses the library
// stages; no library module imports the command line (docs/cli.md).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromRoot } from './helpers/paths.ts';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

test('no module outside compiler/cli/ imports from it', () => {
  const compiler = fromRoot('compiler');
  const offenders = sources(compiler)
    .filter((f) => !relative(compiler, f).startsWith('cli/'))
    .filter((f) => /from '[./]*(\.\.\/)*cli\/|from '\.\/cli\/|import\('[./]*cli\//.test(readFileSync(f, 'utf8')))
    .map((f) => relative(compiler, f));
  assert.equal(offenders, []);
});

test('the library stages throw FabricError subclasses from compiler/errors.ts, not their own roots', () => {
  const compiler = fromRoot('compiler');
  const roots = sources(compiler)
    .filter((f) => /class (EmitError|PushError|PlanError) extends Error\b/.test(readFileSync(f, 'utf8')))
    .map((f) => relative(compiler, f));
  assert.equal(roots, []);
});

test.run();
