// Stage 2b alone: checkSemantics on specs the schema accepts. The fixture
// table covers each rule once; this covers what it cannot show: specs that
// must pass, related locations, defaults, and how validateSpec combines stages.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseDocument } from 'yaml';
import type { Diagnostic } from '../compiler/diagnostics.ts';
import { loadSpecSource, type LoadedSpec, type PathSegment } from '../compiler/load.ts';
import type { FabricYaml } from '../compiler/spec-types.ts';
import { validateSpec } from '../compiler/validate/index.ts';
import { checkSchema } from '../compiler/validate/schema.ts';
import { checkSemantics } from '../compiler/validate/semantic.ts';
import { fromRoot } from './helpers/paths.ts';

const reference = readFileSync(fromRoot('spec/fabric.yaml'), 'utf8');

function loaded(source: string): LoadedSpec {
  const r = loadSpecSource(source, 'fabric.yaml');
  assert.ok(r.loaded, JSON.stringify(r.diagnostics));
  return r.loaded!;
}
/** Semantic diagnostics of a spec that must pass the schema first. */
function semantics(source: string): Diagnostic[] {
  const spec = loaded(source);
  assert.equal(checkSchema(spec), [], 'the test spec must pass the schema');
  return checkSemantics(spec, spec.data as FabricYaml);
}
const codes = (ds: Diagnostic[]) => ds.map((d) => `${d.code} ${d.line}:${d.column}`);
/** The reference spec with values set (undefined deletes). */
function edit(...changes: [PathSegment[], unknown][]): string {
  const doc = parseDocument(reference);
  for (const [path, value] of changes) {
    if (value === undefined) doc.deleteIn(path);
    else doc.setIn(path, doc.createNode(value));
  }
  return doc.toString();
}
function positionOf(source: string, needle: string, nth = 0): { line: number; column: number } {
  let offset = -1;
  for (let i = 0; i <= nth; i++) offset = source.indexOf(needle, offset + 1);
  assert.ok(offset >= 0, `${needle} not in source`);
  const before = source.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

test('the reference spec has no semantic diagnostics', () => {
  assert.equal(semantics(reference), []);
});

/** What an existing member needs besides itself: an ingest URL it can reach, a registry for the demo image. */
const existingNeeds: [PathSegment[], unknown][] = [
  [['clusters', 'monitoring-cluster', 'ingest'], { url: 'https://ingest.example.com', tls: { secret: 'ingest-tls' } }],
  [['platform', 'registry'], 'registry.example.com/fabric'],
];

test('specs the format allows beyond the seed pass: shared tenancy, existing clusters, several members per environment', () => {
  const shared = edit(
    [['backends', 'tenancy'], 'shared'],
    [['backends', 'ports'], { mimir: 30090, loki: 30100, tempo: 30200 }],
    [['environments', 'stage', 'ports'], undefined],
    [['environments', 'prod', 'ports'], undefined],
  );
  assert.equal(semantics(shared), []);

  const existing = edit(
    [
      ['clusters', 'prod-cluster'],
      {
        role: 'member',
        environment: 'prod',
        provider: 'existing',
        context: 'gke_prod',
        server: 'https://10.0.0.5:6443',
        egressCIDRs: ['203.0.113.0/28'],
      },
    ],
    [
      ['clusters', 'prod-cluster-2'],
      {
        role: 'member',
        environment: 'prod',
        provider: 'existing',
        context: 'gke_prod_2',
        server: 'https://10.0.0.6:6443',
        egressCIDRs: ['198.51.100.7/32'],
      },
    ],
    [['clusters', 'stage-cluster-2'], { role: 'member', environment: 'stage', ip: '192.168.200.14' }],
    ...existingNeeds,
  );
  assert.equal(semantics(existing), []);

  const subnet = reference
    .replace('subnet: 192.168.200.0/24', 'subnet: 10.20.0.0/16')
    .replace(/192\.168\.200\./g, '10.20.5.');
  assert.equal(semantics(subnet), []);
});

test('an existing cluster may share nothing with the minikube platform defaults: no ip outside the subnet check', () => {
  const source = edit(
    [
      ['clusters', 'prod-cluster'],
      {
        role: 'member',
        environment: 'prod',
        provider: 'existing',
        context: 'prod',
        server: 'https://prod.example:6443',
        ip: '10.1.2.3',
        egressCIDRs: ['10.1.2.3/32'],
      },
    ],
    ...existingNeeds,
  );
  assert.equal(semantics(source), []);
});

test('pinned images pass: a tag, a registry port with a tag, a digest', () => {
  for (const image of [
    'fabric/app:1.2.3',
    'registry.local:5000/fabric/app:1.2.3',
    `fabric/app@sha256:${'a'.repeat(64)}`,
  ]) {
    assert.equal(semantics(edit([['apps', 'instrumented-app', 'image'], image])), [], image);
  }
  assert.equal(
    codes(semantics(edit([['apps', 'instrumented-app', 'image'], 'registry.local:5000/fabric/app']))).length,
    1,
  );
});

test('apps on one NodePort collide only where they both run', () => {
  const apart = edit(
    [['apps', 'instrumented-app', 'environments'], ['stage']],
    [['apps', 'instrumented-app', 'hosts'], { stage: 'app.stage.local' }],
    [['apps', 'checkout'], { image: 'fabric/checkout:1.0.0', port: 8080, nodePort: 30800, environments: ['prod'] }],
  );
  assert.equal(semantics(apart), []);
  const together = edit([
    ['apps', 'checkout'],
    { image: 'fabric/checkout:1.0.0', port: 8080, nodePort: 30800, environments: ['prod'] },
  ]);
  assert.equal(
    semantics(together).map((d) => `${d.code} ${d.message}`),
    ["FAB205 NodePort 30800 is already used in environment 'prod' by apps.instrumented-app.nodePort"],
  );
});

test('a collision names both places: the second use, and the first as related', () => {
  const source = edit([['grafana', 'nodePort'], 30201]);
  const [d] = semantics(source);
  assert.is(d.code, 'FAB205');
  assert.equal({ line: d.line, column: d.column }, positionOf(source, '30201'));
  assert.equal(d.related, { ...positionOf(source, '30201', 1), message: 'first use' });
});

test("Grafana's defaults collide too, and a default has no related place", () => {
  const source = edit(
    [['grafana'], undefined],
    [['environments', 'prod', 'ports', 'tempo'], 30300],
    [['apps', 'instrumented-app', 'hosts', 'prod'], 'grafana.monitoring.local'],
  );
  const ds = semantics(source);
  assert.equal(
    ds.map((d) => `${d.code} ${d.message}`),
    [
      'FAB205 NodePort 30300 is already used in the monitoring cluster by grafana.nodePort (its default)',
      'FAB206 host grafana.monitoring.local is already used by grafana.host (its default)',
    ],
  );
  assert.equal(
    ds.map((d) => d.related),
    [undefined, undefined],
  );
  assert.equal({ line: ds[0].line, column: ds[0].column }, positionOf(source, '30300'));
});

test('a minikube context clash points at the cluster name, the related side at the explicit context', () => {
  const source = edit([
    ['clusters', 'control-cluster'],
    { role: 'control', provider: 'existing', context: 'prod-cluster' },
  ]);
  const [d, ...rest] = semantics(source);
  assert.equal(rest, []);
  assert.is(d.code, 'FAB208');
  assert.equal(
    { line: d.line, column: d.column },
    { line: positionOf(source, '  prod-cluster:').line, column: 3 },
    'at the key',
  );
  assert.equal(d.related, { ...positionOf(source, 'prod-cluster'), message: "'control-cluster' uses it" });
  assert.match(d.hint!, /rename the cluster, or change the context of 'control-cluster'/);
});

test('two control clusters: the second is reported, the first is related', () => {
  const source = edit([['clusters', 'argocd-cluster'], { role: 'control', ip: '192.168.200.20' }]);
  const [d] = semantics(source);
  assert.equal(
    [d.code, d.message],
    ['FAB202', "cluster 'argocd-cluster' is a second control cluster; there must be exactly one"],
  );
  const first = positionOf(source, 'role: control');
  assert.equal(d.related, {
    line: first.line,
    column: first.column + 'role: '.length,
    message: 'the first control cluster',
  });
});

test('Loki retention: whole days pass (24h, 2d, 1w), anything else is FAB217', () => {
  for (const logs of ['24h', '2d', '1w', '48h'])
    assert.equal(semantics(edit([['environments', 'prod', 'retention', 'logs'], logs])), [], logs);
  for (const logs of ['36h', '1d1h', '90m'])
    assert.equal(
      semantics(edit([['environments', 'prod', 'retention', 'logs'], logs])).map((d) => d.code),
      ['FAB217'],
      logs,
    );
});

test('the memory budget is a warning, and a spec with only warnings is valid', () => {
  const result = validateSpec(loaded(edit([['platform', 'memoryBudget'], '16g'])));
  assert.equal(
    result.diagnostics.map((d) => `${d.code} ${d.severity}`),
    ['FAB209 warning'],
  );
  assert.match(result.diagnostics[0].message, /ask for 18432 MiB in all, more than the budget of 16384 MiB/);
  assert.ok(result.spec, 'warnings do not invalidate the spec');
});

test('memory counts only minikube clusters, with the default for those that do not say', () => {
  const source = edit(
    [['platform', 'memoryBudget'], '12g'],
    [
      ['clusters', 'monitoring-cluster'],
      { role: 'monitoring', provider: 'existing', context: 'mon', server: 'https://10.0.0.9:6443', ip: '10.0.0.9' },
    ],
    [['clusters', 'prod-cluster', 'memory'], undefined],
  );
  // control 4g + stage 3g + prod default 3g = 10g, within 12g; the existing monitoring cluster's 8g no longer counts.
  assert.equal(semantics(source), []);
});

test('validateSpec: semantic checks run only on a spec the schema accepts; diagnostics come sorted', () => {
  const bad = validateSpec(
    loaded(edit([['clusters', 'control-cluster', 'role'], 'boss'], [['grafana', 'nodePort'], 30090])),
  );
  assert.equal(
    bad.diagnostics.map((d) => d.code),
    ['FAB104'],
    'no FAB205 while the schema fails',
  );
  assert.is(bad.spec, undefined);

  const two = validateSpec(
    loaded(edit([['grafana', 'nodePort'], 30090], [['apps', 'instrumented-app', 'image'], 'fabric/app:latest'])),
  );
  const lines = two.diagnostics.map((d) => d.line);
  assert.equal(
    lines,
    [...lines].sort((a, b) => a - b),
  );
  assert.equal(
    two.diagnostics.map((d) => d.code),
    ['FAB205', 'FAB214'],
  );
  assert.is(two.spec, undefined);
});

test.run();
