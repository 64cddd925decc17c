// The committed output (out/ and every golden case) passes the verify stage:
// every kustomization builds with kubectl, every object validates against the
// upstream schemas (unknown fields are errors), names are valid, nothing
// collides, rules pass promtool check and their generated unit tests, queries
// parse, and every Alloy config is structurally sound.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { verifyOptions, verifyTargets } from '../compiler/targets.ts';
import { verifyTree } from '../compiler/verify/index.ts';
import { compile, GOLDEN_CASES } from './helpers/compile.ts';
import { fromRoot } from './helpers/paths.ts';
import { requireTool } from './helpers/tools.ts';

const CASES: [string, string][] = [
  ['spec/fabric.yaml', 'out'],
  ...GOLDEN_CASES.map((c): [string, string] => [`tests/golden/${c}/fabric.yaml`, `tests/golden/${c}/expected`]),
];

for (const [spec, dir] of CASES) {
  test(`${dir} passes every offline check`, async () => {
    if (!requireTool('kubectl', `verify ${dir}`, ['version', '--client'])) return;
    if (!requireTool('promtool', `verify ${dir}`)) return;
    if (!requireTool('amtool', `verify ${dir}`)) return;
    const c = compile(spec);
    const report = await verifyTree(fromRoot(dir), verifyTargets(c.model), verifyOptions(c.model));
    const errors = report.findings.filter((f) => f.severity === 'error');
    assert.equal(errors, [], `${dir}: ${errors.map((f) => `[${f.check}] ${f.file}: ${f.message}`).join('\n')}`);
    const warnings = report.findings.filter((f) => f.severity === 'warning');
    assert.equal(warnings, [], `${dir}: ${warnings.map((f) => `[${f.check}] ${f.file}: ${f.message}`).join('\n')}`);
    assert.equal(report.skipped, []);
    for (const check of [
      'kustomize',
      'schema',
      'name',
      'collision',
      'project',
      'alloy',
      'promql',
      'promtool',
      'amtool',
    ])
      assert.ok((report.checked[check] ?? 0) > 0, `${dir}: ${check} checked nothing`);
  });
}

test.run();
