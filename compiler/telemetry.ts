// Metric and label names the alerts and dashboards query, as they land in
// Mimir: the runtime app's OTLP metrics after Alloy's otelcol.exporter.prometheus
// (dots -> underscores, counters get _total, unit s -> _seconds, service.name
// -> job), kube-state-metrics as scraped, and Tempo's metrics generator.
export const METRICS = {
  requests: 'app_requests_total',
  errors: 'app_errors_total',
  durationBucket: 'app_request_duration_seconds_bucket',
  durationCount: 'app_request_duration_seconds_count',
  durationSum: 'app_request_duration_seconds_sum',
  targetInfo: 'target_info',
  restarts: 'kube_pod_container_status_restarts_total',
  spanCalls: 'traces_spanmetrics_calls_total',
  serviceGraphRequests: 'traces_service_graph_request_total',
} as const;

export const LABELS = {
  job: 'job',
  status: 'http_response_status_code',
  route: 'http_route',
  method: 'http_request_method',
  cluster: 'cluster',
  env: 'env',
} as const;
