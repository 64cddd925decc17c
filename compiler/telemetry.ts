// Metric and label names the alerts and dashboards query, as they land in
// Mimir: the runtime app's (its own contract, runtime-app/src/telemetry-names.ts,
// named as Alloy's otelcol.exporter.prometheus writes them), kube-state-metrics
// as scraped, and Tempo's metrics generator.
import { PROM_LABEL, PROM_METRIC } from '../runtime-app/src/telemetry-names.ts';

export const METRICS = {
  requests: PROM_METRIC.requests,
  errors: PROM_METRIC.errors,
  durationBucket: PROM_METRIC.requestDurationBucket,
  durationCount: PROM_METRIC.requestDurationCount,
  durationSum: PROM_METRIC.requestDurationSum,
  targetInfo: PROM_METRIC.targetInfo,
  restarts: 'kube_pod_container_status_restarts_total',
  spanCalls: 'traces_spanmetrics_calls_total',
  serviceGraphRequests: 'traces_service_graph_request_total',
} as const;

export const LABELS = {
  job: PROM_LABEL.job,
  status: PROM_LABEL.status,
  route: PROM_LABEL.route,
  method: PROM_LABEL.method,
  cluster: 'cluster',
  env: 'env',
} as const;

/**
 * The probe route. Kubernetes calls it on every pod every few seconds, so
 * counting it would hide an app nobody calls (about 0.2 requests per second
 * per pod from probes alone) and dilute error ratios and latency.
 */
export const PROBE_ROUTE = '/health';
