// Grafana provisioning as data: datasources with fixed UIDs per environment
// and the correlations between them (the dashboards are in dashboards.ts).
import type { Model } from '../../model/index.ts';
import { METRICS } from '../../model/constants.ts';

/** Datasource names per environment; the dashboards' datasource variables select them by these names. */
export const DATASOURCE_NAMES = {
  mimir: (env: string) => `Mimir (${env})`,
  loki: (env: string) => `Loki (${env})`,
  tempo: (env: string) => `Tempo (${env})`,
} as const;

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
      // Object.assign, not `{ ...a, ...b }`: V8 (Node 20) builds a spread-first object through a slow path.
      jsonData: Object.assign({}, jsonData, tenant?.jsonData),
      ...(tenant ? { secureJsonData: tenant.secureJsonData } : {}),
    });
    const ds = env.datasources;
    list.push({
      name: DATASOURCE_NAMES.mimir(env.name),
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
      name: DATASOURCE_NAMES.loki(env.name),
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
      name: DATASOURCE_NAMES.tempo(env.name),
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
