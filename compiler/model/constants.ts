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
/** Where existing clusters pull the demo image from with platform.registry (kustomize `images` newName). */
export const registryImageName = (registry: string) => `${registry}/${DEMO_IMAGE_REPOSITORY}`;
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
/** ArgoCD's built-in project: fabric renders it locked down and no fabric Application uses it. */
export const ARGOCD_DEFAULT_PROJECT = 'default';

/** The ClusterRoles (and their ClusterRoleBindings, of the same name) fabric renders, by component. */
export const CLUSTER_ROLES = {
  'alloy-agent': 'fabric-alloy-agent',
  'kube-state-metrics': 'fabric-kube-state-metrics',
  'rules-sync': 'fabric-rules-sync',
} as const;

/** The one upstream CRD fabric deploys (operators ApplicationSet): prometheus-operator's PrometheusRule. */
export const PROMETHEUS_RULE_CRD = {
  group: 'monitoring.coreos.com',
  plural: 'prometheusrules',
  /** Its directory in the prometheus-operator repository at the pinned tag. */
  dir: 'example/prometheus-operator-crd',
} as const;
export const prometheusRuleCrdName = `${PROMETHEUS_RULE_CRD.plural}.${PROMETHEUS_RULE_CRD.group}`;
export const prometheusRuleCrdFile = `${PROMETHEUS_RULE_CRD.group}_${PROMETHEUS_RULE_CRD.plural}.yaml`;

/**
 * Cluster-scoped kinds (`group/kind`, "" for the core group) of the upstream API groups a tree can carry:
 * what an AppProject's clusterResourceWhitelist must admit, and what verify treats as cluster-scoped.
 */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  '/Namespace',
  '/Node',
  '/PersistentVolume',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'storage.k8s.io/StorageClass',
  'storage.k8s.io/CSIDriver',
  'scheduling.k8s.io/PriorityClass',
  'networking.k8s.io/IngressClass',
  'node.k8s.io/RuntimeClass',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'apiregistration.k8s.io/APIService',
]);
/** The API group of an apiVersion: "" for the core group (`v1`), `apps` for `apps/v1`. */
export const apiGroupOfVersion = (apiVersion: string) =>
  apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';

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
 * OpenTelemetry HTTP semantic-convention metric any instrumented service
 * emits, the demo app's own extras (runtime-app/src/telemetry-names.ts writes
 * the same names on its side; tests/alert-rules.test.ts holds the two equal),
 * kube-state-metrics as scraped, and Tempo's metrics generator.
 */
export const METRICS = {
  /** http.server.request.duration (unit s) through Alloy's otelcol.exporter.prometheus: what the RED alerts read. */
  httpDurationBucket: 'http_server_request_duration_seconds_bucket',
  httpDurationCount: 'http_server_request_duration_seconds_count',
  httpDurationSum: 'http_server_request_duration_seconds_sum',
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

/**
 * Label names of those series in Mimir: `job` is service.name (or
 * service.namespace/service.name), the http_* labels are the semconv datapoint
 * attributes, `cluster` and `env` are the Alloy agent's external_labels
 * (templates/alloy-agent/overlays/config.alloy.hbs).
 */
export const LABELS = {
  job: 'job',
  le: 'le',
  namespace: 'namespace',
  pod: 'pod',
  status: 'http_response_status_code',
  route: 'http_route',
  method: 'http_request_method',
  cluster: 'cluster',
  env: 'env',
} as const;

/**
 * Stream labels of app logs in Loki: Loki's OTLP endpoint indexes the resource attributes service.name and
 * k8s.cluster.name (set by the agent) as these labels.
 */
export const LOG_LABELS = {
  service: 'service_name',
  cluster: 'k8s_cluster_name',
} as const;

/** Span attributes the dashboards' TraceQL selects on (the agent sets k8s.cluster.name on traces). */
export const TRACE_ATTRIBUTES = {
  service: 'resource.service.name',
  cluster: 'resource.k8s.cluster.name',
} as const;

/**
 * Grafana datasource uids of an environment. Mimir's is the environment name: the dashboards' environment
 * variable (a datasource variable, whose value is the uid) then names the environment, and the hidden Loki and
 * Tempo variables pick that environment's datasources by name (render/content/dashboards.ts). Loki's and
 * Tempo's carry '_', which no environment name has, so no two uids meet; `default` and `grafana` are refused
 * as environment names (FAB280).
 */
export const datasourceUids = (env: string) => ({ mimir: env, loki: `loki_${env}`, tempo: `tempo_${env}` });

/**
 * The dashboard schemaVersion of the pinned Grafana (13.1.x: the latest migration is 42; @grafana/schema
 * of the same version defaults to it, which tests/dashboards.test.ts checks).
 */
export const GRAFANA_SCHEMA_VERSION = 42;

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

/**
 * The largest finite bucket bound OpenTelemetry SDKs use for
 * http.server.request.duration (the semantic conventions' advice; the demo
 * app's SEMCONV_DURATION_BUCKETS_SECONDS ends there too): histogram_quantile
 * never returns more, so a p95 threshold at or above it can never fire.
 */
export const SEMCONV_LARGEST_BUCKET_SECONDS = 10;

/**
 * Bounds of the built-in alerts' settings, so that every accepted value gives
 * a rule that can fire in Mimir's ruler and a generated promtool test that runs
 * in seconds (docs/alerting.md, "Bounds"; checked by validate/checks/alert-bounds.ts).
 */
export const ALERT_LIMITS = {
  /** Mimir's ruler evaluates every rule group every minute (-ruler.evaluation-interval's default). */
  evaluationIntervalSeconds: 60,
  /**
   * A `for` below one evaluation interval cannot hold for what it says. Above
   * 6h, the generated tests (promtool evaluates every rule each minute up to
   * the alert firing) take more than seconds: at 1d, 37 s for one file under load.
   */
  forMinSeconds: 60,
  forMaxSeconds: 6 * 3600,
  /**
   * A counter range must hold two samples at a 1m scrape or export interval:
   * Prometheus 3 (Mimir 3) ranges are left-open, so [1m] holds one and never
   * increases. Above a week, the ruler reads a week of raw samples every minute.
   */
  windowMinSeconds: 120,
  windowMaxSeconds: 7 * 86400,
  /** The rate window of the RED alerts: four OTel SDK export intervals (60 s by default). */
  rateWindow: '5m',
  /** ServiceDown's range: two OTel SDK export intervals (60 s by default) without a target_info sample. */
  absentWindow: '2m',
} as const;
