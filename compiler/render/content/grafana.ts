// Grafana provisioning as data: datasources with fixed UIDs per environment
// and the correlations between them, and the dashboards.
import type { EnvironmentModel, Model } from '../../model/index.ts';
import { NAMESPACES } from '../../model/index.ts';
import { LABELS, METRICS, PROBE_ROUTE } from '../../model/constants.ts';

/** Grafana expands $VAR in provisioning files; a literal `$` is written `$$`. */
const literal = (s: string) => s.replace(/\$/g, '$$$$');

export function datasources(model: Model) {
  const list: Record<string, unknown>[] = [];
  for (const env of model.environments) {
    const b = env.backends;
    const tenant = env.tenant
      ? { jsonData: { httpHeaderName1: 'X-Scope-OrgID' }, secureJsonData: { httpHeaderValue1: env.tenant } }
      : undefined;
    const withTenant = (jsonData: Record<string, unknown>) => ({
      jsonData: { ...jsonData, ...tenant?.jsonData },
      ...(tenant ? { secureJsonData: tenant.secureJsonData } : {}),
    });
    const ds = env.datasources;
    const label = env.name;
    list.push({
      name: `Mimir (${label})`,
      uid: ds.mimir,
      type: 'prometheus',
      access: 'proxy',
      editable: false,
      isDefault: false,
      url: b.mimir.internalUrls.prometheus,
      ...withTenant({
        prometheusType: 'Mimir',
        httpMethod: 'POST',
        // App exemplars carry trace_id (Alloy); Tempo's span metrics carry traceID.
        exemplarTraceIdDestinations: [
          { name: 'trace_id', datasourceUid: ds.tempo },
          { name: 'traceID', datasourceUid: ds.tempo },
        ],
      }),
    });
    list.push({
      name: `Loki (${label})`,
      uid: ds.loki,
      type: 'loki',
      access: 'proxy',
      editable: false,
      isDefault: false,
      url: b.loki.internal,
      ...withTenant({
        derivedFields: [
          // Logs ingested over OTLP keep trace_id as structured metadata.
          {
            name: 'TraceID',
            matcherType: 'label',
            matcherRegex: 'trace_id',
            datasourceUid: ds.tempo,
            url: literal('${__value.raw}'),
          },
          // Pod logs tailed from stdout carry it inside the JSON line.
          {
            name: 'TraceIDInLine',
            matcherType: 'regex',
            matcherRegex: '"trace_?id":"(\\w+)"',
            datasourceUid: ds.tempo,
            url: literal('${__value.raw}'),
          },
        ],
      }),
    });
    list.push({
      name: `Tempo (${label})`,
      uid: ds.tempo,
      type: 'tempo',
      access: 'proxy',
      editable: false,
      isDefault: false,
      url: b.tempo.query,
      ...withTenant({
        tracesToLogsV2: {
          datasourceUid: ds.loki,
          spanStartTimeShift: '-5m',
          spanEndTimeShift: '5m',
          customQuery: true,
          tags: [{ key: 'service.name', value: 'service_name' }],
          query: literal('{${__tags}} | trace_id="${__trace.traceId}"'),
        },
        tracesToMetrics: {
          datasourceUid: ds.mimir,
          tags: [{ key: 'service.name', value: 'service' }],
          queries: [{ name: 'Request rate', query: literal(`sum(rate(${METRICS.spanCalls}{$__tags}[5m]))`) }],
        },
        serviceMap: { datasourceUid: ds.mimir },
        nodeGraph: { enabled: true },
        // Grafana 13.1.3's Tempo plugin sends X-Scope-OrgID twice on streamed queries (grafana/grafana#130528,
        // fixed in plugin 13.1.5), so Tempo answers "no org id": with a tenant header, stream nothing.
        streamingEnabled: env.tenant ? { search: false, metrics: false } : { search: true, metrics: true },
      }),
    });
  }
  list[0] = { ...list[0], isDefault: true };
  return { apiVersion: 1, datasources: list };
}

interface Target {
  expr: string;
  legendFormat?: string;
  refId: string;
  exemplar?: boolean;
  datasource: { type: string; uid: string };
}

let panelId = 0;
/** Grafana's Mixed datasource: each target keeps its own. */
const MIXED = { type: 'datasource', uid: '-- Mixed --' };

function panel(
  title: string,
  type: string,
  gridPos: { x: number; y: number; w: number; h: number },
  targets: Target[],
  unit?: string,
) {
  panelId += 1;
  const single = targets.every((t) => t.datasource.uid === targets[0].datasource.uid);
  return {
    id: panelId,
    title,
    type,
    gridPos,
    datasource: single ? targets[0].datasource : MIXED,
    targets,
    ...(unit ? { fieldConfig: { defaults: { unit }, overrides: [] } } : {}),
    ...(type === 'logs' ? { options: { showTime: true, wrapLogMessage: true } } : {}),
  };
}

const prom = (uid: string) => ({ type: 'prometheus', uid });
const loki = (uid: string) => ({ type: 'loki', uid });
const rate = (metric: string, matchers = '') => `rate(${metric}${matchers ? `{${matchers}}` : ''}[$__rate_interval])`;

/** Queries every dashboard uses; tests map each metric back to the pipeline that produces it. */
const notProbe = `${LABELS.route}!="${PROBE_ROUTE}"`;
export const RED_QUERIES = {
  requests: `sum by (${LABELS.job}) (${rate(METRICS.requests, notProbe)})`,
  errorRatio: `sum by (${LABELS.job}) (${rate(METRICS.requests, `${notProbe},${LABELS.status}=~"5.."`)}) / sum by (${LABELS.job}) (${rate(METRICS.requests, notProbe)})`,
  p95: `histogram_quantile(0.95, sum by (${LABELS.job}, le) (${rate(METRICS.durationBucket, notProbe)}))`,
  restarts: `sum by (pod) (increase(${METRICS.restarts}{namespace="${NAMESPACES.apps}"}[1h]))`,
  logs: '{service_name=~".+"}',
};

export function redDashboard(env: EnvironmentModel) {
  panelId = 0;
  const m = prom(env.datasources.mimir);
  const l = loki(env.datasources.loki);
  return {
    uid: `fabric-red-${env.name}`,
    title: `RED: ${env.name}`,
    tags: ['fabric', env.name],
    schemaVersion: 39,
    editable: false,
    time: { from: 'now-1h', to: 'now' },
    refresh: '30s',
    panels: [
      panel(
        'Requests per second',
        'timeseries',
        { x: 0, y: 0, w: 8, h: 8 },
        [{ refId: 'A', datasource: m, expr: RED_QUERIES.requests, legendFormat: '{{job}}' }],
        'reqps',
      ),
      panel(
        'Error ratio (5xx)',
        'timeseries',
        { x: 8, y: 0, w: 8, h: 8 },
        [{ refId: 'A', datasource: m, expr: RED_QUERIES.errorRatio, legendFormat: '{{job}}' }],
        'percentunit',
      ),
      panel(
        'Latency p95 (exemplars link to traces)',
        'timeseries',
        { x: 16, y: 0, w: 8, h: 8 },
        [{ refId: 'A', datasource: m, expr: RED_QUERIES.p95, legendFormat: '{{job}}', exemplar: true }],
        's',
      ),
      panel('Pod restarts (1h)', 'timeseries', { x: 0, y: 8, w: 8, h: 8 }, [
        { refId: 'A', datasource: m, expr: RED_QUERIES.restarts, legendFormat: '{{pod}}' },
      ]),
      panel('App logs (trace_id links to Tempo)', 'logs', { x: 8, y: 8, w: 16, h: 8 }, [
        { refId: 'A', datasource: l, expr: RED_QUERIES.logs },
      ]),
    ],
  };
}

export function fleetDashboard(model: Model) {
  panelId = 0;
  const perEnv = (title: string, expr: string, unit: string, y: number, x: number) =>
    panel(
      title,
      'timeseries',
      { x, y, w: 12, h: 8 },
      model.environments.map((env, i) => ({
        refId: String.fromCharCode(65 + (i % 26)) + (i >= 26 ? String(Math.floor(i / 26)) : ''),
        datasource: prom(env.datasources.mimir),
        expr,
        legendFormat: `${env.name} {{job}}`,
      })),
      unit,
    );
  return {
    uid: 'fabric-fleet',
    title: `Fleet overview: ${model.name}`,
    tags: ['fabric'],
    schemaVersion: 39,
    editable: false,
    time: { from: 'now-1h', to: 'now' },
    refresh: '30s',
    panels: [
      perEnv('Requests per second by environment', RED_QUERIES.requests, 'reqps', 0, 0),
      perEnv('Error ratio by environment', RED_QUERIES.errorRatio, 'percentunit', 0, 12),
      perEnv('Latency p95 by environment', RED_QUERIES.p95, 's', 8, 0),
      perEnv('Pod restarts by environment (1h)', RED_QUERIES.restarts, 'short', 8, 12),
    ],
  };
}
