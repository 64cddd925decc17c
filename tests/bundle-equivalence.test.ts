// The bundle carries the schema validator and the templates precompiled at
// build time (scripts/build.mjs); from source both are compiled at first use.
// The two must agree: the standalone validator reports exactly the errors the
// compiled one does, and the bundle compiles every golden spec to the tree the
// sources do, byte for byte.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ValidateFunction } from 'ajv';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadSpecFile } from '../compiler/load.ts';
import { compileSchemaValidator, standaloneValidatorModule } from '../compiler/validate/schema.ts';
import { freshBundleBin } from './helpers/bundle.ts';
import { compile, GOLDEN_CASES, readTree, treeOf } from './helpers/compile.ts';
import { fromRoot, repoRoot } from './helpers/paths.ts';

const work = mkdtempSync(join(tmpdir(), 'fabric-bundle-'));
const specs = ['spec/fabric.yaml', ...GOLDEN_CASES.map((c) => `tests/golden/${c}/fabric.yaml`)];
const badFixtures = readdirSync(fromRoot('tests/fixtures/bad'))
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => `tests/fixtures/bad/${f}`);

/**
 * The module the build generated (minified, as the bundle carries it), evaluated as the bundle would:
 * its require()s resolve from the repository.
 */
function standaloneValidator(): ValidateFunction {
  const generated = readFileSync(join(dirname(freshBundleBin()), 'generated/schema-validator.cjs'), 'utf8');
  assert.ok(generated.length < standaloneValidatorModule().length, 'the build ships the validator minified');
  const module = { exports: {} as ValidateFunction };
  new Function('require', 'module', 'exports', generated)(createRequire(import.meta.url), module, module.exports);
  return module.exports;
}

test('the standalone validator reports what the compiled one does, on every fixture and golden spec', () => {
  const compiled = compileSchemaValidator();
  const standalone = standaloneValidator();
  let invalid = 0;
  for (const file of [...badFixtures, ...specs]) {
    const data = loadSpecFile(fromRoot(file)).loaded?.data;
    if (data === undefined) continue; // does not parse: the schema never sees it
    const ok = compiled(data);
    assert.is(standalone(data), ok, `${file}: the validators disagree on validity`);
    // Errors carry the schema objects they come from (verbose): compared by value.
    assert.equal(
      JSON.parse(JSON.stringify(standalone.errors ?? null)),
      JSON.parse(JSON.stringify(compiled.errors ?? null)),
      `${file}: errors differ`,
    );
    if (!ok) invalid += 1;
  }
  assert.ok(invalid >= 10, `only ${invalid} fixtures fail the schema: the comparison covers too little`);
});

function runBundle(args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [freshBundleBin(), ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 120_000,
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

test('the bundle compiles every golden spec to the tree the sources do', async () => {
  const outs = specs.map((spec) => join(work, spec.replace(/\//g, '_')));
  const runs = await Promise.all(specs.map((spec, i) => runBundle(['compile', '--spec', spec, '--out', outs[i]])));
  specs.forEach((spec, i) => {
    assert.is(runs[i].status, 0, `${spec}: ${runs[i].stderr}`);
    const onDisk = readTree(outs[i]);
    const expected = treeOf(compile(spec));
    assert.equal([...onDisk.keys()].sort(), expected.map((f) => f.path).sort(), `${spec}: different files`);
    for (const f of expected) assert.fixture(onDisk.get(f.path)!, f.contents, `${spec}: ${f.path} differs`);
  });
});

test.run();
