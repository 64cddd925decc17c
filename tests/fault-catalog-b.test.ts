// Fault catalog B (docs/reliability.md, B rows): schema and semantic validation. Specs
// go through the real CLI (`fabric validate --json`); what the output must
// then look like is read from the compiler's own stages.
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse, stringify } from 'yaml';
import { compileSpec, type Compiled } from '../compiler/index.ts';
import { loadSpecSource } from '../compiler/load.ts';
import { minikube } from '../compiler/runner/tools.ts';
import { checkSchema, compileSchemaValidator, fabricSchema } from '../compiler/validate/schema.ts';
import { checkAlloy } from '../compiler/verify/alloy.ts';
import { nameProblems } from '../compiler/verify/names.ts';
import { yamlDocs } from './helpers/compile.ts';
import { requireTool } from './helpers/tools.ts';
import {
  diagnostics,
  edited,
  exits,
  fabric,
  positionOf,
  REFERENCE,
  tempDir,
  validate,
  where,
  writeSpec,
} from './fault-catalog-helpers.ts';

const at = (source: string, needle: string, nth = 0) => Object.values(positionOf(source, needle, nth)).join(':');

function compiled(text: string): Compiled {
  const r = compileSpec(writeSpec(text));
  if (!('model' in r)) throw new Error(JSON.stringify(r.diagnostics, null, 1));
  return r;
}

test('B1: schema errors are located: the unknown key, the mapping that lacks a key, both ends of an alias; many errors are capped', () => {
  const typo = REFERENCE.replace('    cpus: 4\n', '    cpus: 4\n    prots: 3\n');
  const [unknown] = diagnostics(validate(typo));
  assert.equal(where([unknown]), [`FAB101 ${at(typo, 'prots')}`]);
  assert.is(
    unknown.hint,
    'allowed keys: role, environment, provider, ip, cpus, memory, context, server, ingest, egressCIDRs',
  );

  const missing = edited([['clusters', 'stage-cluster', 'role'], undefined]);
  const [required] = diagnostics(validate(missing));
  assert.equal(
    [required.code, required.line, required.column, required.message],
    [
      'FAB102',
      positionOf(missing, '  stage-cluster:').line,
      3,
      "clusters.stage-cluster is missing required key 'role'",
    ],
  );

  const aliased = REFERENCE.replace(
    'retention: { metrics: 15d, logs: 7d, traces: 3d }',
    'retention: &r { metrics: 15d, logs: 7d, traces: 3 }',
  ).replace('retention: { metrics: 30d, logs: 14d, traces: 7d }', 'retention: *r');
  const [defined, used] = diagnostics(validate(aliased));
  const three = positionOf(aliased, 'traces: 3');
  assert.equal(where([defined, used]), [
    `FAB103 ${three.line}:${three.column + 'traces: '.length}`,
    `FAB103 ${at(aliased, '*r')}`,
  ]);
  assert.equal(used.related, {
    line: defined.line,
    column: defined.column,
    message: 'the value comes from the anchored node here',
  });

  const clusters = Array.from({ length: 60 }, (_, i) => `  c${i}: { role: boss }`).join('\n');
  const many = diagnostics(
    validate(`name: lgtm\ngit: { repoURL: https://x/y.git }\nenvironments: { stage: {} }\nclusters:\n${clusters}\n`),
  );
  assert.is(many.length, 51);
  assert.equal(
    many.filter((d) => d.code === 'FAB100').map((d) => [d.line, d.message]),
    [[0, '10 more schema errors not shown']],
  );
});

test('B2: no coercion, no removal, no defaults written into the data; the schema compiles in strict mode, so a typo in it fails', () => {
  const port = diagnostics(validate(REFERENCE.replace('nodePort: 30300', 'nodePort: "30300"')));
  assert.equal(
    port.map((d) => [d.code, d.message, d.hint]),
    [['FAB103', 'grafana.nodePort must be an integer, not string "30300"', 'remove the quotes around the number']],
  );
  const enabled = diagnostics(
    validate(REFERENCE.replace('serviceDown: { for: 1m }', 'serviceDown: { for: 1m, enabled: "false" }')),
  );
  assert.equal(
    enabled.map((d) => [d.code, d.hint]),
    [['FAB103', 'write true or false, without quotes']],
  );

  const loaded = loadSpecSource(edited([['grafana'], undefined], [['alerts'], undefined]), 'fabric.yaml').loaded!;
  const before = structuredClone(loaded.data);
  assert.equal(checkSchema(loaded), []);
  assert.equal(loaded.data, before, 'validation left the data as parsed (no defaults, nothing removed)');

  assert.not.throws(() => compileSchemaValidator());
  const name = (fabricSchema.$defs as Record<string, Record<string, unknown>>).name;
  name.formt = 'uri';
  try {
    assert.throws(() => compileSchemaValidator(), /unknown keyword: "formt"/);
  } finally {
    delete name.formt;
  }
});

test('B3: names must be unique: a repeated cluster names both places, upper case is no way around it, and generated names may not collide', () => {
  const twice = REFERENCE.replace(
    '  monitoring-cluster:\n',
    '  stage-cluster:\n    role: member\n    environment: prod\n    ip: 192.168.200.14\n  monitoring-cluster:\n',
  );
  const [dup] = diagnostics(validate(twice));
  assert.equal(where([dup]), [`FAB011 ${at(twice, 'stage-cluster:', 1)}`]);
  assert.equal(dup.related, { ...positionOf(twice, 'stage-cluster:'), message: 'the first "stage-cluster"' });

  const cased = REFERENCE.replace('  prod:\n    ports', '  Prod:\n    ports');
  assert.equal(
    diagnostics(validate(cased)).map((d) => [d.code, d.message]),
    [['FAB105', "invalid name 'Prod' in environments"]],
  );

  // An app named mimir on a cluster named stage would be ArgoCD Application mimir-stage twice.
  const clash = REFERENCE.replace(/stage-cluster/g, 'stage').replace('  instrumented-app:', '  mimir:');
  assert.equal(
    diagnostics(validate(clash)).map((d) => d.code),
    ['FAB221'],
  );
  const reserved = REFERENCE.replace('  instrumented-app:', '  alloy-agent:');
  assert.equal(
    diagnostics(validate(reserved)).map((d) => d.code),
    ['FAB218'],
  );

  // Tenants are the environment names, so two environments never share one.
  const shared = compiled(
    edited(
      [['backends', 'tenancy'], 'shared'],
      [['backends', 'ports'], { mimir: 30090, loki: 30100, tempo: 30200 }],
      [['environments', 'stage', 'ports'], undefined],
      [['environments', 'prod', 'ports'], undefined],
    ),
  );
  assert.equal(
    shared.model.environments.map((e) => e.tenant),
    ['prod', 'stage'],
  );
});

/** The reference spec with every name at the longest the schema allows. */
function longestNames(): string {
  const spec = parse(REFERENCE);
  const rename = (map: Record<string, unknown>, from: string, to: string) => {
    map[to] = map[from];
    delete map[from];
  };
  const env = (n: string) => `${n}-${'e'.repeat(19 - n.length)}`;
  const cluster = (n: string) => `${n}-${'c'.repeat(39 - n.length)}`;
  for (const e of ['stage', 'prod']) rename(spec.environments, e, env(e));
  for (const c of ['control', 'stage', 'prod', 'monitoring']) rename(spec.clusters, `${c}-cluster`, cluster(c));
  for (const c of ['stage', 'prod']) spec.clusters[cluster(c)].environment = env(c);
  rename(spec.apps, 'instrumented-app', `app-${'a'.repeat(36)}`);
  spec.apps[`app-${'a'.repeat(36)}`].hosts = { [env('stage')]: 'app.stage.local', [env('prod')]: 'app.prod.local' };
  spec.name = `f${'l'.repeat(39)}`;
  return stringify(spec);
}

test('B4: one name rule for every target, checked where written; the longest names still give valid Kubernetes names, and Alloy labels are derived', () => {
  const cases: [string, string, RegExp][] = [
    ['  prod-cluster:', '  Prod_EU:', /rename it, for example to 'prod-eu'/],
    ['  prod-cluster:', '  1prod:', /starts with a letter/],
    ['  prod-cluster:', '  a:', /2.*40|at least 2/],
    ['  prod-cluster:', `  ${'p'.repeat(41)}:`, /./],
    ['  prod:\n    ports', `  ${'p'.repeat(21)}:\n    ports`, /./],
  ];
  for (const [from, to, hint] of cases) {
    const source = REFERENCE.replace(from, to);
    const r = validate(source);
    exits(r, 1);
    const [d] = diagnostics(r);
    assert.equal(where([d]), [`FAB105 ${at(source, to.trim().split('\n')[0])}`], to);
    assert.match(d.message + ' ' + d.hint, hint, to);
  }

  const longest = longestNames();
  exits(validate(longest), 0);
  const c = compiled(longest);
  const objects = yamlDocs(c.files).filter((d) => d.doc?.kind && d.doc.kind !== 'Kustomization');
  assert.equal(
    objects.flatMap((d) => nameProblems(d.doc).map((p) => `${d.path}: ${p}`)),
    [],
    'every name fabric writes is valid at the longest inputs',
  );
  if (requireTool('kubectl', 'B4: names after kustomize', ['version', '--client'])) {
    // Overlays add suffixes: the names that reach the cluster are those kustomize builds.
    const dir = tempDir();
    const v = fabric(['compile', '--verify', '--spec', writeSpec(longest, dir), '--out', join(dir, 'out')]);
    exits(v, 0);
    assert.match(v.stdout, /verify: 0 errors \(kustomize \d+, schema \d+, name \d+/);
  }

  const dashed = compiled(REFERENCE.replace(/\bprod\b(?!-)/g, 'prod-eu'));
  const rulesSync = dashed.files.find((f) =>
    f.path.endsWith('rules-sync/overlays/monitoring-cluster/config.alloy'),
  )!.contents;
  assert.match(rulesSync, /^mimir\.rules\.kubernetes "prod_eu" \{/m);
  assert.equal(checkAlloy(rulesSync), []);
});

test('B5: references resolve before rendering: an unknown environment names the likely one and where it is; one control, one monitoring, no orphans', () => {
  const typo = REFERENCE.replace('    environment: prod\n', '    environment: prdo\n');
  const [unknown] = diagnostics(validate(typo));
  assert.equal(
    [where([unknown])[0], unknown.message, unknown.hint],
    [
      `FAB201 ${at(typo, 'prdo')}`,
      "cluster 'prod-cluster' names environment 'prdo', which is not defined",
      "did you mean 'prod'?",
    ],
  );
  assert.equal(unknown.related, {
    ...positionOf(typo, '  prod:\n'),
    column: 3,
    message: "environment 'prod' is defined here",
  });

  const cases: [string, string][] = [
    [
      edited(
        [['clusters', 'control-cluster', 'role'], 'member'],
        [['clusters', 'control-cluster', 'environment'], 'stage'],
      ),
      'FAB202',
    ],
    [
      edited(
        [['clusters', 'monitoring-cluster', 'role'], 'member'],
        [['clusters', 'monitoring-cluster', 'environment'], 'stage'],
      ),
      'FAB203',
    ],
    [edited([['clusters', 'prod-cluster', 'environment'], undefined]), 'FAB210'],
    [edited([['environments', 'qa'], { ports: { mimir: 30092, loki: 30102, tempo: 30202 } }]), 'FAB204'],
  ];
  for (const [source, code] of cases) {
    const r = validate(source);
    exits(r, 1);
    assert.ok(
      diagnostics(r).some((d) => d.code === code && d.line > 0),
      `${code}: ${JSON.stringify(diagnostics(r))}`,
    );
  }
});

test('B6: ports: NodePorts collide per cluster with both places named, only 30000-32767, integers only; no profile publishes host ports', () => {
  const clash = REFERENCE.replace('nodePort: 30300', 'nodePort: 30201');
  const [d] = diagnostics(validate(clash));
  // Grafana claims its port first, so the environment's port is the second use.
  assert.equal(where([d]), [`FAB205 ${at(clash, '30201')}`]);
  assert.equal(d.related, { ...positionOf(clash, '30201', 1), message: 'first use' });

  const outOfRange: [string, string, string][] = [
    ['nodePort: 30300', 'nodePort: 8080', 'grafana.nodePort is 8080; it must be >= 30000'],
    ['nodePort: 30800', 'nodePort: 32768', 'apps.instrumented-app.nodePort is 32768; it must be <= 32767'],
    ['port: 8080', 'port: 0', 'apps.instrumented-app.port is 0; it must be >= 1'],
    ['port: 8080', 'port: 65536', 'apps.instrumented-app.port is 65536; it must be <= 65535'],
  ];
  for (const [from, to, message] of outOfRange)
    assert.equal(
      diagnostics(validate(REFERENCE.replace(from, to))).map((x) => [x.code, x.message]),
      [['FAB104', message]],
      to,
    );
  assert.equal(
    diagnostics(validate(REFERENCE.replace('port: 8080', 'port: 8080.5'))).map((x) => x.code),
    ['FAB103'],
  );

  // Clusters meet on a shared network at their static IPs; nothing is published on the host.
  const c = compiled(REFERENCE);
  for (const cluster of c.model.clusters)
    assert.not.ok(
      minikube.start(cluster, c.model.platform).some((a) => /^--(ports|apiserver-port|listen-address)/.test(a)),
    );
});

test("B7: durations are parsed once and written in each backend's unit; unit-less and non-finite values are refused; thresholds have a unit and a range", () => {
  const c = compiled(
    REFERENCE.replace(
      'retention: { metrics: 30d, logs: 14d, traces: 7d }',
      'retention: { metrics: 30d, logs: 30d, traces: 30d }',
    ),
  );
  const file = (p: string) => c.files.find((f) => f.path === `gitops/components/monitoring/${p}`)!.contents;
  assert.match(file('tempo/overlays/prod/tempo.yaml'), /^ +block_retention: 720h$/m, 'Tempo: a Go duration, no d unit');
  assert.match(file('loki/overlays/prod/loki.yaml'), /^ +retention_period: 720h$/m);
  assert.match(file('loki/overlays/prod/loki.yaml'), /^ +retention_enabled: true$/m, 'Loki deletes nothing without it');
  assert.match(file('mimir/overlays/prod/mimir.yaml'), /^ +compactor_blocks_retention_period: 30d$/m);

  const refused: [string, string, string, RegExp][] = [
    [
      'retention: { metrics: 30d, logs: 14d, traces: 7d }',
      'retention: 30',
      'FAB103',
      /must be a mapping, not number 30/,
    ],
    [
      'errorRate: { threshold: 0.05, for: 2m }',
      'errorRate: { threshold: 0.05, for: 5 }',
      'FAB103',
      /must be a string, not number 5/,
    ],
    ['errorRate: { threshold: 0.05, for: 2m }', 'errorRate: { threshold: 5, for: 2m }', 'FAB104', /must be < 1/],
    ['errorRate: { threshold: 0.05, for: 2m }', 'errorRate: { threshold: .nan, for: 2m }', 'FAB103', /not NaN/],
    [
      'lowRequestRate: { threshold: 0.1, for: 10m }',
      'lowRequestRate: { threshold: .inf, for: 10m }',
      'FAB103',
      /not Infinity/,
    ],
  ];
  for (const [from, to, code, message] of refused) {
    const ds = diagnostics(validate(REFERENCE.replace(from, to)));
    assert.equal(
      ds.map((d) => d.code),
      [code],
      to,
    );
    assert.match(ds[0].message, message);
  }
  const [ratio] = diagnostics(validate(REFERENCE.replace('threshold: 0.05', 'threshold: 5')));
  assert.match(ratio.hint!, /ratio/i, 'the hint says the threshold is a ratio');

  // Each threshold is tested by promtool just past it and just short of it.
  const tests = parse(
    c.files.find((f) => f.path.endsWith('alerting-rules/overlays/prod/rules.promtool-test.yaml'))!.contents,
  ).tests.map((t: { name: string }) => t.name);
  for (const alert of ['HighErrorRate', 'HighLatencyP95', 'PodRestarting', 'LowRequestRate']) {
    assert.ok(
      tests.some((n: string) => n.startsWith(`${alert} fires just past`)) &&
        tests.some((n: string) => n.startsWith(`${alert} stays silent just short`)),
      alert,
    );
  }
});

test.run();
