// fabric verify against fake Mimir, Loki and Tempo servers on 127.0.0.1: the
// spec fixture puts the monitoring cluster at 127.0.0.1 with NodePorts the
// fakes listen on, and the stand-in kubectl port-forwards to them. Each fake
// holds data for some clusters (per tenant with tenancy shared) and records
// the queries it gets.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { verifyCommand, type IO } from '../compiler/runner/commands.ts';
import { installStandins, type Standins } from './fixtures/runner/standins.ts';
import { fromRoot } from './helpers/paths.ts';
import { alive } from './helpers/process.ts';

type Component = 'mimir' | 'loki' | 'tempo';
interface Holdings {
  metrics?: string[];
  otlpLogs?: string[];
  podLogs?: string[];
  traces?: string[];
}
interface Seen {
  component: Component;
  path: string;
  params: Record<string, string>;
  tenant?: string;
}

/** A fake backend: answers the query API of its component from `data` (keyed by tenant, '' without one). */
function fakeBackend(component: Component, data: Record<string, Holdings>, seen: Seen[]): Server {
  return createServer((req, res) => {
    const url = new URL(req.url!, 'http://fake');
    const params = Object.fromEntries(url.searchParams);
    const tenant = req.headers['x-scope-orgid'] as string | undefined;
    seen.push({ component, path: url.pathname, params, tenant });
    const held = data[tenant ?? ''] ?? {};
    const query = params.query ?? params.q ?? '';
    const cluster = /"([^"]+)"/.exec(query)?.[1] ?? '';
    const now = Math.floor(Date.now() / 1000);
    let body: unknown;
    if (component === 'mimir' && url.pathname === '/prometheus/api/v1/query') {
      body = {
        status: 'success',
        data: {
          resultType: 'vector',
          result: held.metrics?.includes(cluster) ? [{ metric: {}, value: [now, '12'] }] : [],
        },
      };
    } else if (component === 'loki' && url.pathname === '/loki/api/v1/query_range') {
      const streams = query.startsWith('{k8s_cluster_name=')
        ? held.otlpLogs
        : query.startsWith('{cluster=')
          ? held.podLogs
          : [];
      body = {
        status: 'success',
        data: {
          resultType: 'streams',
          result: streams?.includes(cluster)
            ? [{ stream: { service_name: 'instrumented-app' }, values: [[`${now}000000000`, 'GET /api/users 200']] }]
            : [],
        },
      };
    } else if (component === 'tempo' && url.pathname === '/api/search') {
      body = {
        traces: held.traces?.includes(cluster)
          ? [{ traceID: '2f3e0cee77ae5dc9c17ade3689eb2e54', rootServiceName: 'instrumented-app' }]
          : [],
        metrics: { inspectedBytes: '1024' },
      };
    } else {
      res.writeHead(404).end('404 page not found\n');
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
  });
}

/** NodePorts must be in 30000-32767: try free ones there. */
async function listenOnNodePort(server: Server, taken: Set<number>): Promise<number> {
  for (;;) {
    const port = 30000 + Math.floor(Math.random() * 2768);
    if (taken.has(port)) continue;
    taken.add(port);
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (ok) return port;
  }
}

async function listenAnywhere(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

interface Fleet {
  spec: string;
  portForwards: Record<string, number>;
  seen: Seen[];
  close(): void;
}

/** Tenancy isolated: a Mimir, Loki and Tempo per environment. */
async function isolatedFleet(data: Record<'stage' | 'prod', Record<Component, Holdings>>): Promise<Fleet> {
  const seen: Seen[] = [];
  const taken = new Set([30300]);
  const servers: Server[] = [];
  const values: Record<string, number> = {};
  const portForwards: Record<string, number> = {};
  for (const env of ['stage', 'prod'] as const) {
    for (const component of ['mimir', 'loki', 'tempo'] as const) {
      const server = fakeBackend(component, { '': data[env][component] }, seen);
      servers.push(server);
      if (component === 'tempo') {
        // Tempo's NodePort is its OTLP receiver; the query API is reached by port-forward only.
        values[`TEMPO_${env.toUpperCase()}`] = [...Array(100)]
          .map(() => 30000 + Math.floor(Math.random() * 2768))
          .find((p) => !taken.has(p) && taken.add(p))!;
        portForwards[`svc/tempo-${env}`] = await listenAnywhere(server);
      } else {
        const port = await listenOnNodePort(server, taken);
        values[`${component.toUpperCase()}_${env.toUpperCase()}`] = port;
        portForwards[`svc/${component}-${env}`] = port;
      }
    }
  }
  return { spec: fillPorts('verify-isolated.yaml', values), portForwards, seen, close: () => closeAll(servers) };
}

/** Tenancy shared: one Mimir, Loki and Tempo, data per tenant. */
async function sharedFleet(data: Record<'stage' | 'prod', Record<Component, Holdings>>): Promise<Fleet> {
  const seen: Seen[] = [];
  const taken = new Set([30300]);
  const servers: Server[] = [];
  const values: Record<string, number> = {};
  const portForwards: Record<string, number> = {};
  for (const component of ['mimir', 'loki', 'tempo'] as const) {
    const server = fakeBackend(component, { stage: data.stage[component], prod: data.prod[component] }, seen);
    servers.push(server);
    values[component.toUpperCase()] = await listenOnNodePort(server, taken);
    portForwards[`svc/${component}-shared`] = values[component.toUpperCase()];
  }
  return { spec: fillPorts('verify-shared.yaml', values), portForwards, seen, close: () => closeAll(servers) };
}

function fillPorts(fixture: string, values: Record<string, number>): string {
  const text = readFileSync(fromRoot('tests/fixtures/runner', fixture), 'utf8').replace(
    /__PORT_([A-Z_]+)__/g,
    (_, k: string) => String(values[k]),
  );
  const file = join(mkdtempSync(join(tmpdir(), 'fabric-verify-')), 'fabric.yaml');
  writeFileSync(file, text);
  return file;
}

function closeAll(servers: Server[]): void {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
}

async function verify(s: Standins, fleet: Fleet, via?: string) {
  let text = '';
  const sink = { write: (t: string) => (text += t) };
  const io: IO = {
    out: sink,
    err: sink,
    env: s.env({ FAKE_CONTEXTS: 'kind-monitoring', FAKE_PORTS: JSON.stringify(fleet.portForwards) }),
    confirm: async () => true,
  };
  const code = await verifyCommand({ spec: fleet.spec, via }, io);
  return { code, text };
}

const own = (cluster: string): Record<Component, Holdings> => ({
  mimir: { metrics: [cluster] },
  loki: { otlpLogs: [cluster] },
  tempo: { traces: [cluster] },
});

test("each cluster's data in its own environment only: every check passes; the queries are the documented APIs", async () => {
  const s = await installStandins();
  const fleet = await isolatedFleet({ stage: own('stage-cluster'), prod: own('prod-cluster') });
  try {
    const { code, text } = await verify(s, fleet, 'nodeport');
    assert.is(code, 0, text);
    assert.match(text, 'all 6 checks passed');
    assert.match(text, /^stage-cluster\s+stage\s+traces\s+found\s+none\s+ok$/m);
    const q = (component: Component, cluster: string) =>
      fleet.seen.filter(
        (r) => r.component === component && r.params[component === 'tempo' ? 'q' : 'query']?.includes(`"${cluster}"`),
      );
    assert.equal(
      q('mimir', 'stage-cluster').map((r) => [r.path, r.params.query]),
      [
        ['/prometheus/api/v1/query', 'count(http_server_request_duration_seconds_count{cluster="stage-cluster"})'],
        ['/prometheus/api/v1/query', 'count(http_server_request_duration_seconds_count{cluster="stage-cluster"})'],
      ],
    );
    // Own backend: found through the OTLP label; the other environment: both label forms come back empty.
    assert.equal(
      q('loki', 'stage-cluster').map((r) => r.params.query),
      ['{k8s_cluster_name="stage-cluster"}', '{k8s_cluster_name="stage-cluster"}', '{cluster="stage-cluster"}'],
    );
    const loki = q('loki', 'stage-cluster')[0].params;
    assert.ok(
      loki.limit === '1' && /^\d{19}$/.test(loki.start) && BigInt(loki.end) > BigInt(loki.start),
      'start and end in nanoseconds',
    );
    const tempo = q('tempo', 'stage-cluster')[0];
    assert.equal(
      [tempo.path, tempo.params.q, tempo.params.limit],
      ['/api/search', '{resource.k8s.cluster.name="stage-cluster"}', '1'],
    );
    assert.ok(/^\d{10}$/.test(tempo.params.start), 'Tempo takes seconds');
    assert.ok(
      fleet.seen.every((r) => r.tenant === undefined),
      'no tenant header with tenancy isolated',
    );
    // --via nodeport: Mimir and Loki at their NodePorts; Tempo's query API only through a port-forward.
    assert.equal(
      s.lines().filter((l) => l.includes('port-forward')),
      [
        'kubectl --context kind-monitoring -n monitoring port-forward svc/tempo-prod :3200',
        'kubectl --context kind-monitoring -n monitoring port-forward svc/tempo-stage :3200',
      ],
    );
  } finally {
    fleet.close();
  }
});

test('a leak into another environment and missing data fail verify, named in the table; port-forwards end with it', async () => {
  const s = await installStandins();
  const stage = own('stage-cluster');
  stage.tempo = { traces: [] };
  const prod = own('prod-cluster');
  prod.loki = { otlpLogs: ['prod-cluster'], podLogs: ['stage-cluster'] };
  const fleet = await isolatedFleet({ stage, prod });
  try {
    const { code, text } = await verify(s, fleet);
    assert.is(code, 3, text);
    assert.match(text, /^stage-cluster\s+stage\s+logs\s+found\s+LEAKED to prod\s+FAIL$/m);
    assert.match(text, /^stage-cluster\s+stage\s+traces\s+MISSING\s+none\s+FAIL$/m);
    assert.match(text, /^prod-cluster\s+prod\s+metrics\s+found\s+none\s+ok$/m);
    assert.match(text, '2 of 6 checks failed');
    const forwards = s
      .lines()
      .filter((l) => l.includes('port-forward'))
      .map((l) => l.split(' ')[6])
      .sort();
    assert.equal(forwards, [
      'svc/loki-prod',
      'svc/loki-stage',
      'svc/mimir-prod',
      'svc/mimir-stage',
      'svc/tempo-prod',
      'svc/tempo-stage',
    ]);
    assert.is(s.world.portForwardPids.length, 6);
    assert.not.ok(s.world.portForwardPids.some(alive), 'every port-forward is stopped');
  } finally {
    fleet.close();
  }
});

test('a backend that does not answer is an error, not a pass', async () => {
  const s = await installStandins();
  const fleet = await isolatedFleet({ stage: own('stage-cluster'), prod: own('prod-cluster') });
  fleet.portForwards['svc/mimir-prod'] = 9; // discard port: nothing listens there
  try {
    const { code, text } = await verify(s, fleet);
    assert.is(code, 3, text);
    assert.match(text, /^prod-cluster\s+prod\s+metrics\s+ERROR: fetch failed/m);
    assert.match(text, /^stage-cluster\s+stage\s+metrics\s+found\s+ERROR prod: fetch failed/m);
  } finally {
    fleet.close();
  }
});

test('tenancy shared: each query names its environment as X-Scope-OrgID; data under another tenant is a leak', async () => {
  const s = await installStandins();
  const clean = await sharedFleet({ stage: own('stage-cluster'), prod: own('prod-cluster') });
  try {
    const { code, text } = await verify(s, clean, 'nodeport');
    assert.is(code, 0, text);
    const stageQueries = clean.seen.filter((r) => (r.params.query ?? r.params.q).includes('"stage-cluster"'));
    assert.equal([...new Set(stageQueries.map((r) => r.tenant))].sort(), ['prod', 'stage']);
    assert.ok(clean.seen.every((r) => r.tenant === 'stage' || r.tenant === 'prod'));
  } finally {
    clean.close();
  }
  const prod = own('prod-cluster');
  prod.mimir = { metrics: ['prod-cluster', 'stage-cluster'] };
  const leaky = await sharedFleet({ stage: own('stage-cluster'), prod });
  try {
    const { code, text } = await verify(s, leaky, 'nodeport');
    assert.is(code, 3, text);
    assert.match(text, /^stage-cluster\s+stage\s+metrics\s+found\s+LEAKED to prod\s+FAIL$/m);
  } finally {
    leaky.close();
  }
});

test.run();
