// Stage 2a alone: checkSchema maps every ajv error to a located diagnostic,
// and the schema closes every object, so a misspelled key anywhere is FAB101.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseDocument } from 'yaml';
import { loadSpecSource, type LoadedSpec, type PathSegment } from '../compiler/load.ts';
import { checkSchema, closest, dotted, fabricSchema } from '../compiler/validate/schema.ts';
import { fromRoot } from './helpers/paths.ts';

const reference = readFileSync(fromRoot('spec/fabric.yaml'), 'utf8');

function loaded(source: string): LoadedSpec {
  const r = loadSpecSource(source, 'fabric.yaml');
  assert.ok(r.loaded, JSON.stringify(r.diagnostics));
  return r.loaded!;
}
const schemaErrors = (source: string) => checkSchema(loaded(source));
const summary = (source: string) => schemaErrors(source).map((d) => `${d.code} ${d.line}:${d.column}`);
/** The reference spec with one value replaced (or added) at a path. */
function edit(path: PathSegment[], value: unknown): string {
  const doc = parseDocument(reference);
  doc.setIn(path, value);
  return doc.toString();
}
function positionOf(source: string, needle: string): { line: number; column: number } {
  const offset = source.indexOf(needle);
  assert.ok(offset >= 0, `${needle} not in source`);
  const before = source.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

test('the reference spec passes the schema', () => {
  assert.equal(checkSchema(loaded(reference)), []);
});

test('additionalProperties points at the unknown key, with a did-you-mean or the allowed keys', () => {
  const source =
    'name: lgtm\ngit: { repoURL: https://x/y.git, revison: main }\nclusters: { a-cluster: { role: member, prots: 3 } }\nenvironments: { stage: {} }\n';
  const ds = schemaErrors(source);
  assert.equal(
    ds.map((d) => `${d.code} ${d.line}:${d.column}`),
    ['FAB101 2:34', 'FAB101 3:40'],
  );
  assert.is(ds[0].message, "unknown key 'revison' in git");
  assert.is(ds[0].hint, "did you mean 'revision'?");
  assert.is(
    ds[1].hint,
    'allowed keys: role, environment, provider, ip, cpus, memory, context, server, ingest, egressCIDRs',
  );
});

test('required points at the key of the mapping it is missing from', () => {
  const ds = schemaErrors(
    'name: lgtm\ngit:\n  revision: main\nclusters:\n  a-cluster:\n    environment: stage\nenvironments: { stage: {} }\n',
  );
  assert.equal(
    ds.map((d) => `${d.code} ${d.line}:${d.column} ${d.message}`),
    [
      "FAB102 2:1 git is missing required key 'repoURL'",
      "FAB102 5:3 clusters.a-cluster is missing required key 'role'",
    ],
  );
  assert.match(ds[0].hint!, /^add 'repoURL:' \(Clone URL/);
  // At the top level there is no key to point at: the first line of content.
  assert.equal(
    summary(
      '# comment\ngit: { repoURL: https://x/y.git }\nclusters: { a-cluster: { role: control } }\nenvironments: { stage: {} }\n',
    ),
    ['FAB102 2:1'],
  );
});

test('JSON pointer segments are unescaped (~1 is /, ~0 is ~, in that order) before locating', () => {
  // The keys are invalid names (FAB105), and each cluster's bad role must still be found in it.
  const source =
    'name: lgtm\ngit: { repoURL: https://x/y.git }\nenvironments: { stage: {} }\nclusters:\n  a/b:\n    role: master\n  x~1:\n    role: boss\n';
  const roles = schemaErrors(source).filter((d) => d.code === 'FAB104');
  assert.equal(
    roles.map((d) => `${d.line}:${d.column} ${d.message.split(';')[0]}`),
    ['6:11 clusters.a/b.role is "master"', '8:11 clusters.x~1.role is "boss"'],
  );
  const names = schemaErrors(source).filter((d) => d.code === 'FAB105');
  assert.equal(
    names.map((d) => `${d.line}:${d.column}`),
    ['5:3', '7:3'],
  );
});

test('wrong types: the value is located and named; a quoted number says to drop the quotes', () => {
  const ds = schemaErrors(edit(['grafana', 'nodePort'], '30300'));
  assert.equal(
    ds.map((d) => d.code),
    ['FAB103'],
  );
  assert.is(ds[0].message, 'grafana.nodePort must be an integer, not string "30300"');
  assert.is(ds[0].hint, 'remove the quotes around the number');
  assert.is(schemaErrors(edit(['clusters'], ['a', 'b']))[0].message, 'clusters must be a mapping, not a list');
  assert.is(
    schemaErrors(reference.replace('threshold: 0.05', 'threshold: .nan'))[0].message,
    'alerts.errorRate.threshold must be a number, not NaN',
  );
});

test('enums suggest the closest value, or explain the choices', () => {
  const typo = schemaErrors(edit(['backends', 'tenancy'], 'isolatd'));
  assert.is(typo[0].hint, "did you mean 'isolated'?");
  const far = schemaErrors(edit(['clusters', 'control-cluster', 'role'], 'master'));
  assert.match(far[0].hint!, /^control runs ArgoCD/);
});

test('ranges and lengths in words', () => {
  assert.is(
    schemaErrors(edit(['grafana', 'nodePort'], 8080))[0].message,
    'grafana.nodePort is 8080; it must be >= 30000',
  );
  assert.is(schemaErrors(edit(['name'], 'x'))[0].message, 'name is "x"; it must have at least 2 characters');
});

test('an invalid name is reported at the key, with a valid name to rename it to', () => {
  const source = reference
    .replace('  prod-cluster:', '  Prod_EU:')
    .replace('environment: prod\n', 'environment: prod\n');
  const ds = schemaErrors(source);
  assert.equal(
    ds.map((d) => `${d.code} ${d.message}`),
    ["FAB105 invalid name 'Prod_EU' in clusters"],
  );
  assert.equal({ line: ds[0].line, column: ds[0].column }, positionOf(source, 'Prod_EU'));
  assert.match(ds[0].hint!, /^rename it, for example to 'prod-eu'\./);
  assert.match(
    schemaErrors(reference.replace('  stage:\n', '  s:\n'))[0].message,
    /invalid name 's' in environments; it must have at least 2 characters/,
  );
});

test('more than 50 schema errors are summarised in one more diagnostic (FAB100)', () => {
  const clusters = Array.from({ length: 60 }, (_, i) => `  c${i}: { role: boss }`).join('\n');
  const ds = schemaErrors(
    `name: lgtm\ngit: { repoURL: https://x/y.git }\nenvironments: { stage: {} }\nclusters:\n${clusters}\n`,
  );
  assert.is(ds.length, 51);
  assert.equal(ds[50], {
    code: 'FAB100',
    severity: 'error',
    file: 'fabric.yaml',
    line: 0,
    column: 0,
    message: '10 more schema errors not shown',
    hint: 'fix the errors above and validate again',
  });
});

test('closest: one edit for short words, a swap counts once, nothing when nothing is close', () => {
  assert.is(closest('nmae', ['name', 'git']), 'name');
  assert.is(closest('cpu', ['cni', 'driver']), undefined);
  assert.is(closest('membr', ['control', 'member', 'monitoring']), 'member');
  assert.is(closest('master', ['control', 'member', 'monitoring']), undefined);
  assert.is(dotted([]), 'the top level');
  assert.is(dotted(['apps', 'web', 'environments', 1]), 'apps.web.environments.1');
});

// --- a misspelled key anywhere ---------------------------------------------

type Schema = {
  $ref?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  type?: string | string[];
};
const defs = (fabricSchema as { $defs: Record<string, Schema> }).$defs;
const resolve = (s: Schema): Schema => (s.$ref ? resolve(defs[s.$ref.replace('#/$defs/', '')]) : s);

/** Every object schema with properties: each must be closed. */
function objectSchemas(): Schema[] {
  const found = new Set<Schema>();
  const walk = (s: Schema) => {
    if (s.properties) found.add(s);
    for (const sub of [
      ...Object.values(s.properties ?? {}),
      ...(typeof s.additionalProperties === 'object' ? [s.additionalProperties] : []),
      ...(s.items ? [s.items] : []),
    ])
      walk(sub);
  };
  walk(fabricSchema as Schema);
  for (const def of Object.values(defs)) walk(def);
  return [...found];
}

/** Paths in `data` whose schema is closed (additionalProperties: false), with that schema. */
function closedLevels(
  data: unknown,
  schema: Schema,
  path: PathSegment[] = [],
): { path: PathSegment[]; schema: Schema }[] {
  const s = resolve(schema);
  if (Array.isArray(data)) return s.items ? data.flatMap((v, i) => closedLevels(v, s.items!, [...path, i])) : [];
  if (data === null || typeof data !== 'object') return [];
  const here = s.additionalProperties === false ? [{ path, schema: s }] : [];
  return [
    ...here,
    ...Object.entries(data).flatMap(([k, v]) => {
      const sub =
        s.properties?.[k] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
      return sub ? closedLevels(v, sub, [...path, k]) : [];
    }),
  ];
}

/** The reference spec plus every optional section it leaves out, so each closed object occurs. */
function fullSpec(): string {
  const doc = parseDocument(reference);
  doc.setIn(['git', 'path'], 'fleet');
  doc.setIn(['git', 'credentials'], { tokenEnv: 'GITOPS_TOKEN' });
  doc.setIn(['backends', 'ports'], { mimir: 31090, loki: 31100, tempo: 31200 });
  doc.setIn(['environments', 'stage', 'storage'], { metrics: '20Gi' });
  doc.setIn(['clusters', 'monitoring-cluster', 'ingest'], {
    url: 'https://ingest.example.com',
    tls: { secret: 'ingest-tls' },
  });
  doc.setIn(['environments', 'stage', 'alerts'], {
    errorRate: { threshold: 0.1 },
    latencyP95: { threshold: '2s' },
    podRestarts: { threshold: 5 },
    lowRequestRate: { enabled: false },
    serviceDown: { for: '5m' },
  });
  doc.setIn(['alerts', 'custom'], {
    QueueBacklog: {
      expr: 'queue_depth > 100',
      for: '5m',
      severity: 'warning',
      summary: 'Queue backlog',
      description: 'The queue is long.',
      runbookURL: 'https://runbooks.example.com/queue',
      environments: ['prod'],
      tests: [{ series: { 'queue_depth{job="w"}': '150x20' }, interval: '1m', firesAt: '10m', labels: { job: 'w' } }],
    },
  });
  const app = ['apps', 'instrumented-app'];
  doc.setIn([...app, 'probes'], { path: '/healthz', port: 8081 });
  doc.setIn([...app, 'securityContext'], { runAsUser: 1000 });
  doc.setIn([...app, 'resources'], { requests: { cpu: '100m' }, limits: { memory: '512Mi' } });
  doc.setIn(['overrides'], {
    mimir: {
      tolerations: [{ key: 'dedicated', effect: 'NoSchedule' }],
      patches: [{ target: { kind: 'Service', name: 'mimir' }, ops: [{ op: 'remove', path: '/spec/type' }] }],
    },
  });
  const secret = (name: string, key: string) => ({ secret: name, key });
  doc.setIn(['alerting'], {
    receivers: {
      oncall: { pagerduty: { routingKey: secret('pagerduty', 'routing-key') } },
      chat: { slack: { channel: '#alerts', url: secret('slack-webhook', 'url') } },
      audit: { webhook: { url: secret('audit-hook', 'url') } },
      mail: {
        email: {
          to: 'ops@example.com',
          from: 'a@example.com',
          smarthost: 'smtp.example.com:587',
          password: secret('smtp', 'password'),
        },
      },
    },
    route: {
      receiver: 'chat',
      groupBy: ['alertname'],
      routes: [{ match: { severity: 'critical' }, receiver: 'oncall', continue: true, routes: [{ receiver: 'mail' }] }],
    },
  });
  return doc.toString();
}

test('the schema closes every object it describes (additionalProperties: false)', () => {
  const open = objectSchemas()
    .filter((s) => s.additionalProperties !== false)
    .map((s) => Object.keys(s.properties!).join(','));
  assert.equal(open, []);
});

test('a misspelled key at every closed level of the spec is FAB101 at that key', () => {
  const full = fullSpec();
  assert.equal(checkSchema(loaded(full)), [], 'the full spec itself must pass');
  const levels = closedLevels(parseDocument(full).toJS(), fabricSchema as Schema);
  // Every closed object schema occurs somewhere in the full spec.
  const reached = new Set(levels.map((l) => l.schema));
  const missed = objectSchemas()
    .filter((s) => !reached.has(s))
    .map((s) => Object.keys(s.properties!).join(','));
  assert.equal(missed, [], 'closed objects the walk never reached');
  assert.ok(levels.length >= 30, `only ${levels.length} levels`);

  for (const { path } of levels) {
    const doc = parseDocument(full);
    doc.setIn([...path, 'misspeltKey'], 1);
    const source = doc.toString();
    const ds = checkSchema(loaded(source));
    const where = dotted(path);
    assert.equal(
      ds.map((d) => `${d.code} ${d.line}:${d.column} ${d.message}`),
      [`FAB101 ${Object.values(positionOf(source, 'misspeltKey')).join(':')} unknown key 'misspeltKey' in ${where}`],
      where,
    );
  }
});

test.run();
