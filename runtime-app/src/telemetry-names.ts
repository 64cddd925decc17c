// The telemetry contract of the instrumented app: what it records, and the
// names those records take in Prometheus/Mimir after Alloy's
// otelcol.exporter.prometheus (add_metric_suffixes=true: dots become
// underscores, counters gain `_total`, unit `s` becomes `_seconds`).
// The compiler's alert rules and dashboards import these; TELEMETRY.md is the
// same table for people.

/** Instrument names as the app records them (OTLP). */
export const OTEL_METRIC = {
  requests: 'app.requests',
  errors: 'app.errors',
  requestDuration: 'app.request.duration',
} as const;

/** Unit of the duration histogram (UCUM), the source of the `_seconds` suffix. */
export const REQUEST_DURATION_UNIT = 's';

/** Datapoint attributes on every app metric (OTel HTTP semantic conventions). */
export const OTEL_ATTRIBUTE = {
  route: 'http.route',
  method: 'http.request.method',
  status: 'http.response.status_code',
} as const;

/** Series names in Prometheus/Mimir. */
export const PROM_METRIC = {
  requests: 'app_requests_total',
  errors: 'app_errors_total',
  requestDurationBucket: 'app_request_duration_seconds_bucket',
  requestDurationSum: 'app_request_duration_seconds_sum',
  requestDurationCount: 'app_request_duration_seconds_count',
  /** Resource attributes of the app (one series per instance); the "is it up" signal for pushed metrics. */
  targetInfo: 'target_info',
} as const;

/** Label names in Prometheus/Mimir. */
export const PROM_LABEL = {
  route: 'http_route',
  method: 'http_request_method',
  status: 'http_response_status_code',
  /** service.name (or service.namespace/service.name when a namespace is set). */
  job: 'job',
  /** service.instance.id. */
  instance: 'instance',
  /** Histogram bucket bound. */
  le: 'le',
} as const;

/**
 * Histogram bucket bounds in seconds. 1 is a bound so that "p95 above 1s"
 * is resolved exactly rather than interpolated inside a wide bucket.
 */
export const REQUEST_DURATION_BUCKETS_SECONDS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 5, 10,
] as const;

/** service.name when neither OTEL_SERVICE_NAME nor OTEL_RESOURCE_ATTRIBUTES names one. */
export const DEFAULT_SERVICE_NAME = 'instrumented-app';

/** Keys of the JSON log body that correlate a log line with its span (hex, as in W3C traceparent). */
export const LOG_FIELD = {
  traceId: 'trace_id',
  spanId: 'span_id',
} as const;

/** Name of the OTel meter, logger and tracer scope the app records under. */
export const INSTRUMENTATION_SCOPE = 'fabric-runtime-app';

/**
 * The OpenTelemetry semantic-convention HTTP server metric (stable HTTP
 * conventions), recorded by the app itself for every finished request, never
 * sampled. Any OTel-instrumented HTTP service emits the same metric, so
 * content built on it serves the user's own services too.
 */
export const SEMCONV_METRIC = {
  requestDuration: 'http.server.request.duration',
} as const;

/** Datapoint attributes of SEMCONV_METRIC.requestDuration. */
export const SEMCONV_ATTRIBUTE = {
  route: 'http.route',
  method: 'http.request.method',
  status: 'http.response.status_code',
  /** The status code as a string for 5xx responses; `_OTHER` when the request ended without a response. */
  errorType: 'error.type',
  urlScheme: 'url.scheme',
  protocolVersion: 'network.protocol.version',
} as const;

/** SEMCONV_METRIC as series in Prometheus/Mimir. */
export const SEMCONV_PROM_METRIC = {
  requestDurationBucket: 'http_server_request_duration_seconds_bucket',
  requestDurationSum: 'http_server_request_duration_seconds_sum',
  requestDurationCount: 'http_server_request_duration_seconds_count',
} as const;

/** SEMCONV_ATTRIBUTE as labels in Prometheus/Mimir. */
export const SEMCONV_PROM_LABEL = {
  route: 'http_route',
  method: 'http_request_method',
  status: 'http_response_status_code',
  errorType: 'error_type',
  urlScheme: 'url_scheme',
  protocolVersion: 'network_protocol_version',
} as const;

/** The bucket bounds the semantic conventions advise for http.server.request.duration (seconds). */
export const SEMCONV_DURATION_BUCKETS_SECONDS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
] as const;

/**
 * The trace sampler when OTEL_TRACES_SAMPLER is not set: parent-based, and
 * a root span is kept with this probability (the SDK's
 * `parentbased_traceidratio` with OTEL_TRACES_SAMPLER_ARG). Metrics are
 * recorded for every request whatever the sampler decides.
 */
export const DEFAULT_TRACES_SAMPLER = { name: 'parentbased_traceidratio', ratio: 0.1 } as const;
