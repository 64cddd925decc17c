// Grafana dashboards as data, built on the OpenTelemetry HTTP server metric (METRICS.httpDuration*), so any
// OTel-instrumented HTTP service gets RED panels without code of ours: the fleet view shows every service of
// an environment; the RED dashboard (only when the spec has apps) selects the spec's apps and adds their
// routes, restarts, logs and failed traces. Both pick the environment with a datasource variable over the per-environment
// Mimir datasources and break every series down by cluster. The values are typed by @grafana/schema (a
// type-only import); tests/dashboards.test.ts checks the emitted JSON against the same types.
import type { Dashboard, Panel, VariableModel } from '@grafana/schema';
import type { Model } from '../../model/index.ts';
import {
  GRAFANA_SCHEMA_VERSION,
  LABELS,
  LOG_LABELS,
  METRICS,
  NAMESPACES,
  PROBE_ROUTE,
  TRACE_ATTRIBUTES,
} from '../../model/constants.ts';
import { DATASOURCE_NAMES } from './grafana.ts';

/** Template variable names; queries refer to them as `$name`. */
export const VARIABLES = {
  env: 'env',
  logs: 'logs',
  traces: 'traces',
  cluster: 'cluster',
  service: 'service',
} as const;

const METRICS_DS = { type: 'prometheus', uid: '${' + VARIABLES.env + '}' };
const LOGS_DS = { type: 'loki', uid: '${' + VARIABLES.logs + '}' };
const TRACES_DS = { type: 'tempo', uid: '${' + VARIABLES.traces + '}' };

/** Escapes a literal for a JavaScript regular expression. */
const jsRegex = (s: string) => s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
/** A literal as an RE2 regular expression inside a double-quoted PromQL string (backslashes doubled). */
const queryRegex = (s: string) => s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&').replace(/\\/g, '\\\\');

/**
 * The datasource variable regex (Grafana matches it against datasource names) for the names of one kind
 * whose environment part matches `envPattern`.
 */
function nameRegex(kind: keyof typeof DATASOURCE_NAMES, envPattern: string): string {
  const [before, after] = DATASOURCE_NAMES[kind]('\u0000').split('\u0000');
  return `/^${jsRegex(before)}${envPattern}${jsRegex(after)}$/`;
}

/** The environment: one of the Mimir datasources; its value, the datasource uid, is the environment name. */
function environmentVariable(model: Model): VariableModel {
  const first = model.environments[0];
  return {
    type: 'datasource',
    name: VARIABLES.env,
    label: 'Environment',
    query: 'prometheus',
    regex: nameRegex('mimir', '.+'),
    current: { text: DATASOURCE_NAMES.mimir(first.name), value: first.datasources.mimir },
    hide: 0,
    refresh: 1,
  };
}

/**
 * The selected environment's Loki or Tempo, hidden: Grafana interpolates `${env}` (the environment name) in
 * the name filter, so it follows the environment variable.
 */
function followerVariable(model: Model, kind: 'loki' | 'tempo'): VariableModel {
  const first = model.environments[0];
  return {
    type: 'datasource',
    name: kind === 'loki' ? VARIABLES.logs : VARIABLES.traces,
    label: kind === 'loki' ? 'Logs' : 'Traces',
    query: kind,
    regex: nameRegex(kind, '${' + VARIABLES.env + '}'),
    current: { text: DATASOURCE_NAMES[kind](first.name), value: first.datasources[kind] },
    hide: 2,
    refresh: 1,
  };
}

/** A multi-value query variable over the metrics datasource, "All" by default (any value: `.+`). */
const allOfQuery = (name: string, label: string, query: string): VariableModel => ({
  type: 'query',
  name,
  label,
  datasource: METRICS_DS,
  query,
  includeAll: true,
  multi: true,
  allValue: '.+',
  current: { text: ['All'], value: ['$__all'] },
  refresh: 2,
  sort: 1,
  hide: 0,
});

/** Clusters that send anything to the selected environment (the agent labels every series). */
const clusterVariable = allOfQuery(VARIABLES.cluster, 'Cluster', `label_values(${LABELS.cluster})`);

/** Every service (job = service.name) that reports the HTTP server metric in the selected clusters. */
const anyServiceVariable = allOfQuery(
  VARIABLES.service,
  'Service',
  `label_values(${METRICS.httpDurationCount}{${LABELS.cluster}=~"$${VARIABLES.cluster}"}, ${LABELS.job})`,
);

/**
 * The spec's apps (fabric sets service.name to the app's name). No allValue: "All" expands to exactly
 * these names, so the log query selects their streams and never every stream.
 */
const appsVariable = (apps: string[]): VariableModel => ({
  type: 'custom',
  name: VARIABLES.service,
  label: 'App',
  query: apps.join(','),
  includeAll: true,
  multi: true,
  current: { text: ['All'], value: ['$__all'] },
  hide: 0,
});

/** Probe requests are not traffic (see PROBE_ROUTE): the default route and every app's probes.path. */
const probeMatcher = (model: Model) => {
  const routes = [...new Set([PROBE_ROUTE, ...model.apps.map((a) => a.probes.path)])].sort();
  return `${LABELS.route}!~"${routes.map(queryRegex).join('|')}"`;
};

/** RED queries over the selected clusters and services, grouped by `by`. */
function redQueries(model: Model, by: string[]) {
  const scope = `${LABELS.cluster}=~"$${VARIABLES.cluster}", ${LABELS.job}=~"$${VARIABLES.service}", ${probeMatcher(model)}`;
  const rate = (metric: string, extra = '') => `rate(${metric}{${scope}${extra}}[$__rate_interval])`;
  const sum = (expr: string, labels = by) => `sum by (${labels.join(', ')}) (${expr})`;
  const requests = sum(rate(METRICS.httpDurationCount));
  const errors = sum(rate(METRICS.httpDurationCount, `, ${LABELS.status}=~"5.."`));
  return {
    requests,
    // `or ... * 0`: a service without errors shows 0, not a gap.
    errorRatio: `(${errors} or ${requests} * 0) / ${requests}`,
    p95: `histogram_quantile(0.95, ${sum(rate(METRICS.httpDurationBucket), [...by, 'le'])})`,
  };
}

interface Query {
  expr: string;
  legend?: string;
  exemplar?: boolean;
}

type GridPos = { x: number; y: number; w: number; h: number };

function timeseries(title: string, gridPos: GridPos, unit: string, query: Query): Panel {
  return {
    type: 'timeseries',
    title,
    gridPos,
    datasource: METRICS_DS,
    fieldConfig: { defaults: { unit }, overrides: [] },
    targets: [
      {
        refId: 'A',
        datasource: METRICS_DS,
        expr: query.expr,
        ...(query.legend ? { legendFormat: query.legend } : {}),
        ...(query.exemplar ? { exemplar: true } : {}),
      },
    ],
  };
}

/** `{{cluster}} {{job}}`: the legend of a query grouped by those labels. */
const legendOf = (labels: string[]) => labels.map((l) => `{{${l}}}`).join(' ');

function dashboard(uid: string, title: string, variables: VariableModel[], panels: Panel[], tags: string[]): Dashboard {
  return {
    uid,
    title,
    tags: ['fabric', ...tags],
    schemaVersion: GRAFANA_SCHEMA_VERSION,
    editable: false,
    graphTooltip: 1,
    time: { from: 'now-1h', to: 'now' },
    refresh: '30s',
    templating: { list: variables },
    panels: panels.map((p, i) => ({ ...p, id: i + 1 })),
  };
}

const BY_SERVICE = [LABELS.cluster, LABELS.job];
const BY_ROUTE = [LABELS.cluster, LABELS.job, LABELS.method, LABELS.route];

/** Every OTel HTTP service of the selected environment, per cluster, whether the spec lists it or not. */
export function fleetDashboard(model: Model): Dashboard {
  const red = redQueries(model, BY_SERVICE);
  const perCluster = redQueries(model, [LABELS.cluster]);
  const restartsBy = [LABELS.cluster, LABELS.namespace, LABELS.pod];
  const restarts = `sum by (${restartsBy.join(', ')}) (increase(${METRICS.restarts}{${LABELS.cluster}=~"$${VARIABLES.cluster}"}[1h]))`;
  const legend = legendOf(BY_SERVICE);
  return dashboard(
    'fabric-fleet',
    `Fleet overview: ${model.name}`,
    [environmentVariable(model), clusterVariable, anyServiceVariable],
    [
      timeseries('Requests per second', { x: 0, y: 0, w: 8, h: 8 }, 'reqps', { expr: red.requests, legend }),
      timeseries('Error ratio (5xx)', { x: 8, y: 0, w: 8, h: 8 }, 'percentunit', { expr: red.errorRatio, legend }),
      timeseries('Latency p95', { x: 16, y: 0, w: 8, h: 8 }, 's', { expr: red.p95, legend, exemplar: true }),
      timeseries('Requests per second by cluster', { x: 0, y: 8, w: 12, h: 8 }, 'reqps', {
        expr: perCluster.requests,
        legend: legendOf([LABELS.cluster]),
      }),
      timeseries('Pod restarts (1h)', { x: 12, y: 8, w: 12, h: 8 }, 'short', {
        expr: restarts,
        legend: `{{${LABELS.cluster}}} {{${LABELS.namespace}}}/{{${LABELS.pod}}}`,
      }),
    ],
    [],
  );
}

/** The spec's apps: RED per cluster and per route, their pods' restarts and their logs. None without apps. */
export function redDashboard(model: Model): Dashboard | undefined {
  if (!model.apps.length) return undefined;
  const red = redQueries(model, BY_SERVICE);
  const routes = redQueries(model, BY_ROUTE);
  // Deployment pods are named <app>-<pod-template-hash>-<suffix>; `$service` expands to (app|...).
  const pods = `${LABELS.pod}=~"$${VARIABLES.service}-[a-z0-9]+-[a-z0-9]+"`;
  const restartsBy = [LABELS.cluster, LABELS.pod];
  const restarts = `sum by (${restartsBy.join(', ')}) (increase(${METRICS.restarts}{${LABELS.cluster}=~"$${VARIABLES.cluster}", ${LABELS.namespace}="${NAMESPACES.apps}", ${pods}}[1h]))`;
  const appLogs = `{${LOG_LABELS.service}=~"$${VARIABLES.service}", ${LOG_LABELS.cluster}=~"$${VARIABLES.cluster}"}`;
  // The agent sets k8s.cluster.name on every span; a failed server span has status error.
  const failedTraces = `{${TRACE_ATTRIBUTES.service}=~"$${VARIABLES.service}" && ${TRACE_ATTRIBUTES.cluster}=~"$${VARIABLES.cluster}" && status = error}`;
  const legend = legendOf(BY_SERVICE);
  return dashboard(
    'fabric-red',
    `RED: apps of ${model.name}`,
    [
      environmentVariable(model),
      followerVariable(model, 'loki'),
      followerVariable(model, 'tempo'),
      clusterVariable,
      appsVariable(model.apps.map((a) => a.name)),
    ],
    [
      timeseries('Requests per second', { x: 0, y: 0, w: 8, h: 8 }, 'reqps', { expr: red.requests, legend }),
      timeseries('Error ratio (5xx)', { x: 8, y: 0, w: 8, h: 8 }, 'percentunit', { expr: red.errorRatio, legend }),
      timeseries('Latency p95 (exemplars link to traces)', { x: 16, y: 0, w: 8, h: 8 }, 's', {
        expr: red.p95,
        legend,
        exemplar: true,
      }),
      timeseries('Requests per second by route', { x: 0, y: 8, w: 12, h: 8 }, 'reqps', {
        expr: routes.requests,
        legend: legendOf(BY_ROUTE),
      }),
      timeseries('Latency p95 by route', { x: 12, y: 8, w: 12, h: 8 }, 's', {
        expr: routes.p95,
        legend: legendOf(BY_ROUTE),
      }),
      timeseries('Pod restarts (1h)', { x: 0, y: 16, w: 8, h: 8 }, 'short', {
        expr: restarts,
        legend: legendOf(restartsBy),
      }),
      {
        type: 'logs',
        title: 'App logs (trace_id links to Tempo)',
        gridPos: { x: 8, y: 16, w: 16, h: 8 },
        datasource: LOGS_DS,
        options: { showTime: true, wrapLogMessage: true },
        targets: [{ refId: 'A', datasource: LOGS_DS, expr: appLogs }],
      },
      {
        type: 'table',
        title: 'Failed requests (traces)',
        gridPos: { x: 0, y: 24, w: 24, h: 8 },
        datasource: TRACES_DS,
        targets: [{ refId: 'A', datasource: TRACES_DS, queryType: 'traceql', query: failedTraces, limit: 20 }],
      },
    ],
    ['apps'],
  );
}
