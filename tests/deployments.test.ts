// The model's deployments are the one list of what ArgoCD deploys where: the
// ApplicationSets render writes create exactly those Applications, each source
// directory is in the tree, and the FAB221 check's names are the same list.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { compileSpec, type Compiled } from '../compiler/index.ts';
import { applicationNames, type FleetShape } from '../compiler/model/index.ts';
import { deployedApplications, expectedApplications } from '../compiler/runner/applications.ts';
import { registeredClusters } from '../compiler/runner/steps.ts';
import { verifyTargets } from '../compiler/targets.ts';
import { compile, GOLDEN_CASES } from './helpers/compile.ts';
import { fromRoot } from './helpers/paths.ts';

const SPECS = ['spec/fabric.yaml', ...GOLDEN_CASES.map((c) => `tests/golden/${c}/fabric.yaml`)];

for (const spec of SPECS) {
  const c = compile(spec);
  const paths = new Set(c.files.map((f) => f.path));

  test(`${spec}: the ApplicationSets create exactly the model's deployments`, () => {
    const generated = expectedApplications(c.files, registeredClusters(c.model));
    assert.equal(generated, deployedApplications(c.model));
    assert.is(new Set(c.model.deployments.map((d) => d.application)).size, c.model.deployments.length, 'unique');
  });

  test(`${spec}: every deployment's source directory is a kustomization in the tree`, () => {
    for (const d of c.model.deployments)
      for (const dir of d.sources) assert.ok(paths.has(`${dir}/kustomization.yaml`), `${d.application}: ${dir}`);
    for (const t of verifyTargets(c.model)) assert.ok(paths.has(`${t.path}/kustomization.yaml`), t.path);
  });

  test(`${spec}: every YAML file parses back (YAML 1.2 and 1.1, no duplicate keys, no warnings)`, () => {
    for (const f of c.files.filter((f) => f.path.endsWith('.yaml')))
      for (const version of ['1.2', '1.1'] as const)
        for (const doc of parseAllDocuments(f.contents, { version, uniqueKeys: true })) {
          assert.equal(doc.errors.map(String), [], `${f.path} (${version})`);
          assert.equal(doc.warnings.map(String), [], `${f.path} (${version})`);
        }
  });
}

test('applicationNames (the FAB221 list) is the deployments of the same shape, in claim order', () => {
  const shape: FleetShape = {
    tenancy: 'isolated',
    environments: ['prod', 'stage'],
    monitoring: 'mon',
    members: [
      { name: 'a', environment: 'prod' },
      { name: 'b', environment: 'stage' },
    ],
    apps: [{ name: 'shop', environments: ['stage'] }],
  };
  const names = applicationNames(shape).map((n) => n.application);
  assert.equal(names, [
    'alerting-rules',
    'monitoring-namespace',
    'grafana',
    'ingest-gateway',
    'rules-sync',
    'prometheus-operator-crds-mon',
    'mimir-prod',
    'mimir-stage',
    'loki-prod',
    'loki-stage',
    'tempo-prod',
    'tempo-stage',
    'namespaces-a',
    'namespaces-b',
    'alloy-agent-a',
    'alloy-agent-b',
    'kube-state-metrics-a',
    'kube-state-metrics-b',
    'shop-b',
  ]);
  const shared = applicationNames({ ...shape, tenancy: 'shared' }).map((n) => n.application);
  assert.ok(shared.includes('mimir-shared') && !shared.includes('mimir-prod'));
});

test('a threshold of 0.07 reads "7%" and 700ms reads 0.7 (no float noise in rules)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fabric-display-'));
  const spec = parse(readFileSync(fromRoot('spec/fabric.yaml'), 'utf8'));
  spec.alerts = { errorRate: { threshold: 0.07 }, latencyP95: { threshold: '700ms' } };
  writeFileSync(join(dir, 'fabric.yaml'), stringify(spec));
  const c = compileSpec(join(dir, 'fabric.yaml')) as Compiled;
  assert.ok(c.files, JSON.stringify(c.diagnostics));
  const text = c.files.find((f) => /alerting-rules\/overlays\/[^/]+\/rules\.yaml$/.test(f.path))!.contents;
  const rules = (parse(text) as any).spec.groups.flatMap((g: any) => g.rules);
  const rule = (name: string) => rules.find((r: any) => r.alert === name);
  assert.match(rule('HighErrorRate').annotations.summary, /more than 7% of requests fail$/);
  assert.match(rule('HighErrorRate').expr, /> 0\.07$/);
  assert.match(rule('HighLatencyP95').annotations.summary, /above 0\.7s$/);
  assert.match(rule('HighLatencyP95').expr, /> 0\.7$/);
  assert.not.match(text, /0000000/);
});

test.run();
