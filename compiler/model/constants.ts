// Every fixed fact of the output in one place: pinned versions and images,
// namespaces, ports, URL paths, label keys, and the metric and label names the
// generated rules and dashboards query. Templates read them through the
// `portNumber`, `labelKey` and `urlPath` helpers (render/engine.ts), render and the runner
// import them; tests/constants-only.test.ts fails when a port number or a
// fabric.dev/ label key is typed anywhere else in templates/ or the runner.

/** Pinned upstream versions (see docs/ and the README's version table). */
export const VERSIONS = {
  alloy: 'v1.18.1',
  mimir: '3.1.1',
  loki: '3.7.6',
  // Tempo 2.8.x (2.8.4 carries CVE fixes): its monolithic layout (compactor and
  // ingester blocks) is the one this generator writes; 3.0 moved retention to
  // the backend scheduler.
  tempo: '2.8.4',
  grafana: '13.1.3',
  kubeStateMetrics: 'v2.15.0',
  argocd: 'v3.5.1',
  prometheusOperator: 'v0.84.1',
  // nginx stable, unprivileged image (uid 101, pid in /tmp): what the Loki and Mimir charts' gateways run.
  ingestGateway: '1.30.4-alpine-slim',
} as const;

export const IMAGES = {
  alloy: `grafana/alloy:${VERSIONS.alloy}`,
  mimir: `grafana/mimir:${VERSIONS.mimir}`,
  loki: `grafana/loki:${VERSIONS.loki}`,
  tempo: `grafana/tempo:${VERSIONS.tempo}`,
  grafana: `grafana/grafana:${VERSIONS.grafana}`,
  kubeStateMetrics: `registry.k8s.io/kube-state-metrics/kube-state-metrics:${VERSIONS.kubeStateMetrics}`,
  ingestGateway: `nginxinc/nginx-unprivileged:${VERSIONS.ingestGateway}`,
} as const;

/** The image runtime-app/ builds (into minikube members); apps with another image are pulled by the cluster. */
export const DEMO_IMAGE_REPOSITORY = 'fabric/instrumented-app';
/** Whether an app image is the locally built one (docker.io/ and a tag or digest aside). */
export const isDemoImage = (image: string) =>
  image.replace(/^docker\.io\//, '').split(/[:@]/)[0] === DEMO_IMAGE_REPOSITORY;

/** Where upstream publishes the PrometheusRule CRD (used at the pinned operator tag). */
export const CRD_REPO_URL = 'https://github.com/prometheus-operator/prometheus-operator.git';

export const NAMESPACES = {
  monitoring: 'monitoring',
  agents: 'observability',
  apps: 'apps',
  argocd: 'argocd',
} as const;

/** The ArgoCD AppProject of everything in the control and monitoring clusters. */
export const PLATFORM_PROJECT = 'platform';

/** Ports the generated workloads listen on (container and Service ports). */
export const PORTS = {
  mimirHttp: 8080,
  mimirGrpc: 9095,
  lokiHttp: 3100,
  lokiGrpc: 9095,
  tempoHttp: 3200,
  tempoGrpc: 9095,
  tempoOtlpGrpc: 4317,
  tempoOtlpHttp: 4318,
  grafana: 3000,
  alloyOtlpGrpc: 4317,
  alloyOtlpHttp: 4318,
  /** Alloy's own HTTP server (UI, /-/ready, its metrics). */
  alloyHttp: 12345,
  kubeStateMetrics: 8080,
  kubeStateMetricsTelemetry: 8081,
  /** The ingest gateway: plain HTTP (shared network NodePort), TLS (public listener), the local deny server. */
  ingestHttp: 8080,
  ingestHttps: 8443,
  ingestDeny: 8081,
  /** Port of the gateway's public (LoadBalancer) Service: https by default. */
  ingestPublic: 443,
  /** minikube's API server on the node IP of the shared network. */
  minikubeApiServer: 8443,
  /** ArgoCD's server Service (HTTPS), for port-forwards. */
  argocdServer: 443,
  /** Local port of `fabric port-forward argocd`. */
  argocdLocal: 8080,
} as const;
export type PortName = keyof typeof PORTS;

/** URL paths appended to the backends' base URLs. */
export const URL_PATHS = {
  mimirPush: '/api/v1/push',
  /** Mimir's Prometheus-compatible API prefix (queries, Grafana datasource). */
  mimirPrometheus: '/prometheus',
  mimirAlertmanager: '/alertmanager',
  lokiOtlp: '/otlp',
  lokiPush: '/loki/api/v1/push',
  ready: '/ready',
  /** The ingest gateway's paths: members append them to the gateway's base URL. */
  otlpBase: '/otlp',
  otlpLogs: '/otlp/v1/logs',
  otlpTraces: '/otlp/v1/traces',
  /** Tempo's OTLP HTTP traces path, where the gateway sends /otlp/v1/traces. */
  tempoOtlpTraces: '/v1/traces',
  healthz: '/healthz',
} as const;

/** The ingest gateway's objects and the Secrets `fabric apply` creates for it (never in git). */
export const INGEST = {
  gateway: 'ingest-gateway',
  /** Monitoring cluster, monitoring namespace: key `.htpasswd`, one {SSHA} line per environment. */
  htpasswdSecret: 'ingest-htpasswd',
  htpasswdKey: '.htpasswd',
  /** Each member cluster, agents namespace: key `password` (the user name is the environment name). */
  credentialsSecret: 'ingest-credentials',
  passwordKey: 'password',
  /** Where Alloy reads the password (not under /etc/alloy, the ConfigMap mount). */
  credentialsMount: '/etc/fabric/ingest',
} as const;

/** Label keys fabric sets; the ApplicationSets select cluster Secrets on role, environment and fleet. */
export const LABEL_KEYS = {
  role: 'fabric.dev/role',
  environment: 'fabric.dev/environment',
  fleet: 'fabric.dev/fleet',
  cluster: 'fabric.dev/cluster',
  backendSet: 'fabric.dev/backend-set',
} as const;
export type LabelName = keyof typeof LABEL_KEYS;

/** Kept for the runner's imports: the cluster Secret labels are the first three label keys. */
export const CLUSTER_LABELS = {
  role: LABEL_KEYS.role,
  environment: LABEL_KEYS.environment,
  fleet: LABEL_KEYS.fleet,
} as const;

/**
 * Metric names the alerts and dashboards query, as they land in Mimir: the
 * demo app's (runtime-app/src/telemetry-names.ts writes the same names on its
 * side; tests/telemetry-contract.test.ts holds the two equal), kube-state-metrics
 * as scraped, and Tempo's metrics generator.
 */
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

/** Label names of those series in Mimir. */
export const LABELS = {
  job: 'job',
  status: 'http_response_status_code',
  route: 'http_route',
  method: 'http_request_method',
  cluster: 'cluster',
  env: 'env',
} as const;

/**
 * The probe route. Kubernetes calls it on every pod every few seconds, so
 * counting it would hide an app nobody calls (about 0.2 requests per second
 * per pod from probes alone) and dilute error ratios and latency.
 */
export const PROBE_ROUTE = '/health';

/**
 * The demo app's routes that `fabric traffic` calls: fast ones taken in turn,
 * one that answers slowly and one that always fails (runtime-app/src/app.ts
 * serves them; tests/runtime-app.test.ts holds the two together).
 */
export const DEMO_APP_ROUTES = {
  fast: ['/', '/api/users', '/api/data'],
  slow: '/api/slow',
  error: '/api/error',
} as const;

/** An app container's requests and limits unless apps.<name>.resources names a key. */
export const APP_RESOURCES = {
  requests: { cpu: '50m', memory: '96Mi' },
  limits: { memory: '256Mi' },
} as const;

/** Variables the app template sets (templates/app/); apps.<name>.env may not name them (FAB243). */
export const APP_ENV_NAMES = [
  'PORT',
  'POD_UID',
  'OTEL_SERVICE_NAME',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_METRIC_EXPORT_INTERVAL',
  'OTEL_RESOURCE_ATTRIBUTES',
] as const;
/**
 * Where Mimir's Alertmanager reads notification secrets: one Secret volume per
 * referenced Secret at `<dir>/<secret>/<key>` (outside the config volume at
 * /etc/mimir; docs/alerting.md).
 */
export const ALERTMANAGER_SECRETS_DIR = '/etc/alertmanager-secrets';
