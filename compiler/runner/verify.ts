// `fabric check-routing` (old name `fabric verify`): for every member cluster and signal, ask the cluster's own
// environment's backend for recent data carrying that cluster's label, and
// ask every other environment's backend for the same data, which must not be
// there. The query APIs:
//   Mimir  GET /prometheus/api/v1/query  (Prometheus instant query; reference §2)
//   Loki   GET /loki/api/v1/query_range  with start/end in ns; OTLP logs are indexed by the
//          resource attribute k8s.cluster.name as k8s_cluster_name (reference §3), pod logs
//          carry Alloy's external label cluster
//   Tempo  GET /api/search?q=<TraceQL>&start=&end=  (grafana/tempo docs/sources/tempo/api_docs:
//          the `tags` form matches substrings, so an exact TraceQL equality is used instead)
// With tenancy shared every request names the tenant in X-Scope-OrgID.
import type { Model } from '../model/index.ts';
import { LABELS, METRICS, URL_PATHS } from '../model/constants.ts';

export type Signal = 'metrics' | 'logs' | 'traces';
export const SIGNALS: Signal[] = ['metrics', 'logs', 'traces'];

/** Base URLs of one backend set, as this machine reaches them. */
export interface BackendURLs {
  mimir: string;
  loki: string;
  tempo: string;
}

export interface Probe {
  environment: string;
  /** found: data is there; none: the backend answered with nothing; error: no usable answer. */
  result: 'found' | 'none' | 'error';
  error?: string;
}

export interface VerifyRow {
  cluster: string;
  environment: string;
  signal: Signal;
  own: Probe;
  others: Probe[];
}

export const rowOk = (r: VerifyRow) => r.own.result === 'found' && r.others.every((p) => p.result === 'none');

const quote = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

interface QueryOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  now: number;
}

async function getJSON(url: string, tenant: string | undefined, opts: QueryOptions): Promise<any> {
  const signals = [AbortSignal.timeout(opts.timeoutMs), ...(opts.signal ? [opts.signal] : [])];
  const res = await fetch(url, {
    headers: tenant ? { 'X-Scope-OrgID': tenant } : {},
    signal: AbortSignal.any(signals),
  });
  const body = await res.text();
  if (!res.ok) throw new Error(`HTTP ${res.status} from ${url}: ${body.slice(0, 200)}`);
  return JSON.parse(body);
}

/** Does this backend hold recent data of this signal from this cluster? */
async function holds(
  signal: Signal,
  urls: BackendURLs,
  cluster: string,
  metric: string,
  tenant: string | undefined,
  opts: QueryOptions,
): Promise<boolean> {
  const hourAgo = opts.now - 3600_000;
  if (signal === 'metrics') {
    const query = `count(${metric}{${LABELS.cluster}=${quote(cluster)}})`;
    const r = await getJSON(
      `${urls.mimir}${URL_PATHS.mimirPrometheus}/api/v1/query?${new URLSearchParams({ query })}`,
      tenant,
      opts,
    );
    return (r?.data?.result ?? []).some((s: { value?: [number, string] }) => Number(s.value?.[1]) > 0);
  }
  if (signal === 'logs') {
    for (const selector of [`{k8s_cluster_name=${quote(cluster)}}`, `{${LABELS.cluster}=${quote(cluster)}}`]) {
      const params = new URLSearchParams({
        query: selector,
        start: `${hourAgo}000000`,
        end: `${opts.now}000000`,
        limit: '1',
      });
      const r = await getJSON(`${urls.loki}/loki/api/v1/query_range?${params}`, tenant, opts);
      if ((r?.data?.result ?? []).some((s: { values?: unknown[] }) => (s.values?.length ?? 0) > 0)) return true;
    }
    return false;
  }
  const params = new URLSearchParams({
    q: `{resource.k8s.cluster.name=${quote(cluster)}}`,
    start: String(Math.floor(hourAgo / 1000)),
    end: String(Math.floor(opts.now / 1000)),
    limit: '1',
  });
  const r = await getJSON(`${urls.tempo}/api/search?${params}`, tenant, opts);
  return (r?.traces ?? []).length > 0;
}

export async function verifyFleet(
  model: Model,
  urlsFor: (backendSet: string) => BackendURLs,
  opts: QueryOptions,
): Promise<VerifyRow[]> {
  const probe = async (signal: Signal, cluster: string, metric: string, environment: string): Promise<Probe> => {
    const env = model.environments.find((e) => e.name === environment)!;
    try {
      const found = await holds(signal, urlsFor(env.backends.key), cluster, metric, env.tenant, opts);
      return { environment, result: found ? 'found' : 'none' };
    } catch (e) {
      return { environment, result: 'error', error: (e as Error).message };
    }
  };
  const rows: Promise<VerifyRow>[] = [];
  for (const env of model.environments) {
    // The semantic-convention request metric (what the alerts and dashboards read) where the environment
    // runs apps; otherwise a series every agent sends.
    const metric = env.apps.length ? METRICS.httpDurationCount : METRICS.restarts;
    for (const cluster of env.memberClusters) {
      for (const signal of SIGNALS) {
        rows.push(
          (async () => ({
            cluster,
            environment: env.name,
            signal,
            own: await probe(signal, cluster, metric, env.name),
            others: await Promise.all(
              model.environments.filter((o) => o.name !== env.name).map((o) => probe(signal, cluster, metric, o.name)),
            ),
          }))(),
        );
      }
    }
  }
  return Promise.all(rows);
}

export function formatVerifyTable(rows: VerifyRow[]): string {
  const ownText = (p: Probe) =>
    p.result === 'found' ? 'found' : p.result === 'none' ? 'MISSING' : `ERROR: ${p.error}`;
  const othersText = (ps: Probe[]) => {
    if (ps.length === 0) return '-';
    const leaks = ps.filter((p) => p.result === 'found').map((p) => p.environment);
    const errors = ps.filter((p) => p.result === 'error').map((p) => `${p.environment}: ${p.error}`);
    return (
      [...(leaks.length ? [`LEAKED to ${leaks.join(', ')}`] : []), ...errors.map((e) => `ERROR ${e}`)].join('; ') ||
      'none'
    );
  };
  const table = [
    ['cluster', 'environment', 'signal', 'own backend', 'other environments', ''],
    ...rows.map((r) => [
      r.cluster,
      r.environment,
      r.signal,
      ownText(r.own),
      othersText(r.others),
      rowOk(r) ? 'ok' : 'FAIL',
    ]),
  ];
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  const lines = table.map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd(),
  );
  const failed = rows.filter((r) => !rowOk(r)).length;
  lines.push('', failed ? `${failed} of ${rows.length} checks failed` : `all ${rows.length} checks passed`);
  return lines.join('\n') + '\n';
}
