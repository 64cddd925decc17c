// Generated from schema/fabric.schema.json by scripts/gen-types.mjs. Do not edit.

/**
 * An IPv4 network in CIDR notation, without host bits (192.168.200.0/24, 203.0.113.7/32).
 */
export type Cidr = string;
/**
 * Environment name: used in namespaces, object names, datasource UIDs and tenant IDs. A lowercase DNS-1123 label that starts with a letter, 2 to 20 characters.
 */
export type EnvironmentName = string;
/**
 * A DNS name (DNS-1123 subdomain), used as an Ingress host.
 */
export type Host = string;
/**
 * A Kubernetes quantity: 500m, 2, 1.5, 256Mi, 2Gi.
 */
export type Quantity = string;
/**
 * A Kubernetes object name as fabric renders it in the component's base (a DNS-1123 subdomain).
 */
export type K8SName = string;

/**
 * One file that describes a multi-cluster observability fleet: clusters, environments, backends, Grafana, apps and alerts. fabric compiles it into a Kustomize + ArgoCD GitOps repository.
 */
export interface FabricYaml {
  /**
   * Optional pointer to this schema, for editors that read it from the document.
   */
  $schema?: string;
  /**
   * Name of the fleet. Used in labels and in the generated repository's README.
   */
  name: string;
  git: Git;
  platform?: Platform;
  backends?: Backends;
  /**
   * Every cluster of the fleet, keyed by name. Exactly one has role control (runs ArgoCD), exactly one has role monitoring (runs the backends and Grafana); members run the apps and Alloy agents of one environment.
   */
  clusters: {
    [k: string]: Cluster;
  };
  /**
   * Environments keyed by name (stage, prod, ...). Each gets its own Mimir, Loki and Tempo (tenancy isolated) or its own tenant (tenancy shared).
   */
  environments: {
    [k: string]: Environment;
  };
  grafana?: Grafana;
  /**
   * Instrumented applications deployed to member clusters, keyed by name.
   */
  apps?: {
    [k: string]: App;
  };
  alerts?: Alerts1;
  /**
   * Per-component escape hatches, keyed by component name (mimir, alloy-agent, an app, ...): resources, replicas, env, scheduling, patches, extra manifests.
   */
  overrides?: {
    [k: string]: Override;
  };
  alerting?: Alerting1;
}
/**
 * The GitOps repository that fabric pushes to and ArgoCD reads from.
 */
export interface Git {
  /**
   * Clone URL of the GitOps repository (https, ssh, git@host:path or file). Characters outside URLs, such as spaces, quotes and braces, are not allowed.
   */
  repoURL: string;
  /**
   * Branch that fabric pushes to and ArgoCD tracks.
   */
  revision?: string;
  /**
   * Sub-directory of the repository that holds the generated tree ('' for the root).
   */
  path?: string;
  /**
   * The web page of the generated README.md, which every built-in alert's runbook_url links to (plus #<alert>). Omitted, it is derived from repoURL, revision and path in the layout of GitHub, GitLab (a host named gitlab.*) or Bitbucket (bitbucket.org); set it for other hosts. An https URL without a #fragment.
   */
  readmeURL?: string;
  /**
   * A credential ArgoCD needs to read a private repository, named here (never written into the spec): a token from an environment variable or a file (https), or an SSH private key file (ssh, git@host:path). fabric apply registers it in ArgoCD as a repository Secret, sent on kubectl's stdin. Relative files are read from the spec's directory.
   */
  credentials?: {
    /**
     * Environment variable holding an https access token.
     */
    tokenEnv?: string;
    /**
     * File holding an https access token.
     */
    tokenFile?: string;
    /**
     * File holding an SSH private key.
     */
    sshKeyFile?: string;
    /**
     * User name sent with a token (most hosts accept any; default git).
     */
    username?: string;
  };
}
/**
 * Where minikube clusters run. Clusters with provider existing ignore it.
 */
export interface Platform {
  /**
   * Default provider of clusters: minikube (fabric creates them) or existing (a kube context you already have).
   */
  provider?: 'minikube' | 'existing';
  /**
   * minikube driver.
   */
  driver?: 'docker' | 'podman' | 'kvm2' | 'qemu2';
  /**
   * Name of the network shared by every minikube profile, so that clusters reach each other's NodePorts and API servers.
   */
  network?: string;
  /**
   * IPv4 subnet of the shared network (CIDR). Every minikube cluster's ip must be inside it.
   */
  subnet?: string;
  /**
   * Kubernetes version for minikube profiles.
   */
  kubernetesVersion?: string;
  /**
   * CNI for minikube profiles. calico and cilium enforce the NetworkPolicies fabric generates; kindnet does not (fabric validate warns).
   */
  cni?: 'calico' | 'cilium' | 'kindnet';
  /**
   * Memory this machine can give to all minikube profiles together; validate warns when the clusters ask for more.
   */
  memoryBudget?: string;
  /**
   * Registry host (and optional path) that existing clusters pull locally built app images from, e.g. registry.example.com/fabric. fabric apply builds the demo image (runtime-app/) and pushes it there (log in to the registry first). Without it an app built from runtime-app/ cannot run on an existing cluster.
   */
  registry?: string;
}
/**
 * How the Mimir, Loki and Tempo backends in the monitoring cluster are laid out.
 */
export interface Backends {
  /**
   * isolated: one Mimir, Loki and Tempo per environment, each on its own NodePorts (environments.<env>.ports). shared: one instance of each (ports under backends.ports) with one tenant per environment, sent as X-Scope-OrgID.
   */
  tenancy?: 'isolated' | 'shared';
  ports?: BackendPorts;
  storage?: Storage;
}
/**
 * NodePorts of the shared backends (tenancy shared only).
 */
export interface BackendPorts {
  /**
   * Mimir HTTP (remote write, rules, queries).
   */
  mimir: number;
  /**
   * Loki HTTP (OTLP and push API).
   */
  loki: number;
  /**
   * Tempo OTLP gRPC receiver.
   */
  tempo: number;
}
/**
 * Persistent volume size per backend, for every environment unless the environment overrides it.
 */
export interface Storage {
  /**
   * Mimir volume.
   */
  metrics?: string;
  /**
   * Loki volume.
   */
  logs?: string;
  /**
   * Tempo volume.
   */
  traces?: string;
}
/**
 * A Kubernetes cluster of the fleet.
 */
export interface Cluster {
  /**
   * control runs ArgoCD; monitoring runs Mimir, Loki, Tempo and Grafana; member runs apps and Alloy agents for one environment.
   */
  role: 'control' | 'monitoring' | 'member';
  /**
   * Environment of a member cluster (a key of environments).
   */
  environment?: string;
  /**
   * minikube (fabric creates the profile) or existing (fabric only registers and deploys to it). Defaults to platform.provider.
   */
  provider?: 'minikube' | 'existing';
  /**
   * Static IP of a minikube cluster on the shared network, or the address at which an existing cluster's nodes (NodePorts) are reached.
   */
  ip?: string;
  /**
   * CPUs of a minikube profile.
   */
  cpus?: number;
  /**
   * Memory of a minikube profile.
   */
  memory?: string;
  /**
   * kube context of an existing cluster (defaults to the cluster name for minikube).
   */
  context?: string;
  /**
   * API server URL of an existing cluster, as ArgoCD in the control cluster reaches it.
   */
  server?: string;
  /**
   * Monitoring cluster only: how member clusters reach its ingest gateway (the one authenticated write path into Mimir, Loki and Tempo). minikube members always use the gateway's NodePort on the shared network; members with provider: existing use url.
   */
  ingest?: {
    /**
     * Base URL of the gateway that every existing member can reach (scheme, host, optional port; no path). You point DNS at the gateway's LoadBalancer Service. Must be https when an existing member uses it.
     */
    url?: string;
    /**
     * TLS on the gateway's public listener.
     */
    tls?: {
      /**
       * Name of a kubernetes.io/tls Secret in the monitoring namespace of the monitoring cluster (you create it; fabric apply checks it exists). Its certificate must be trusted by the members (a public CA).
       */
      secret: string;
    };
    /**
     * NodePort of the gateway on the shared network (minikube members).
     */
    nodePort?: number;
  };
  /**
   * Existing member clusters: the addresses they send from as the monitoring cluster sees them (cloud NAT gateway IPs). The gateway's NetworkPolicy admits these instead of 0.0.0.0/0.
   *
   * @minItems 1
   * @maxItems 64
   */
  egressCIDRs?: [Cidr, ...Cidr[]];
}
/**
 * One environment: its backend NodePorts, retention and alert overrides.
 */
export interface Environment {
  ports?: BackendPorts1;
  /**
   * How long each signal is kept.
   */
  retention?: {
    /**
     * Mimir blocks retention.
     */
    metrics?: string;
    /**
     * Loki retention (whole hours, at least 24h).
     */
    logs?: string;
    /**
     * Tempo block retention.
     */
    traces?: string;
  };
  storage?: Storage1;
  alerts?: Alerts;
  alerting?: Alerting;
}
/**
 * NodePorts of this environment's backends (tenancy isolated).
 */
export interface BackendPorts1 {
  /**
   * Mimir HTTP (remote write, rules, queries).
   */
  mimir: number;
  /**
   * Loki HTTP (OTLP and push API).
   */
  loki: number;
  /**
   * Tempo OTLP gRPC receiver.
   */
  tempo: number;
}
/**
 * Volume sizes for this environment's backends (overrides backends.storage).
 */
export interface Storage1 {
  /**
   * Mimir volume.
   */
  metrics?: string;
  /**
   * Loki volume.
   */
  logs?: string;
  /**
   * Tempo volume.
   */
  traces?: string;
}
/**
 * Overrides of the top-level alerts for this environment.
 */
export interface Alerts {
  /**
   * Share of requests answered with a 5xx, as a ratio (0.05 = 5%).
   */
  errorRate?: {
    /**
     * Generate this alert.
     */
    enabled?: boolean;
    /**
     * Ratio of 5xx responses above which the alert fires: at least 0.000001 (one in a million), below 1 (0.05 = 5%).
     */
    threshold?: number;
    /**
     * How long the condition must hold: at least 1m (Mimir's ruler evaluates every minute), at most 6h.
     */
    for?: string;
  };
  /**
   * 95th percentile of request duration.
   */
  latencyP95?: {
    /**
     * Generate this alert.
     */
    enabled?: boolean;
    /**
     * p95 latency above which the alert fires: below 10s, where the OpenTelemetry default buckets of http.server.request.duration end.
     */
    threshold?: string;
    /**
     * How long the condition must hold: at least 1m (Mimir's ruler evaluates every minute), at most 6h.
     */
    for?: string;
  };
  /**
   * Container restarts of the apps' pods (from kube-state-metrics).
   */
  podRestarts?: {
    /**
     * Generate this alert.
     */
    enabled?: boolean;
    /**
     * Restarts within the window at or above which the alert fires.
     */
    threshold?: number;
    /**
     * Window over which restarts are counted: at least 2m (two samples at a 1m interval), at most 7d.
     */
    window?: string;
  };
  /**
   * Request rate below which an app looks idle or cut off.
   */
  lowRequestRate?: {
    /**
     * Generate this alert.
     */
    enabled?: boolean;
    /**
     * Requests per second below which the alert fires, probe requests not counted: from 0.001 to 1000000.
     */
    threshold?: number;
    /**
     * How long the condition must hold: at least 1m (Mimir's ruler evaluates every minute), at most 6h.
     */
    for?: string;
  };
  /**
   * No telemetry from an app (pushed metrics have no up series, so this watches target_info).
   */
  serviceDown?: {
    /**
     * Generate this alert.
     */
    enabled?: boolean;
    /**
     * How long the app must be silent after 2m without telemetry: at least 1m, at most 6h.
     */
    for?: string;
  };
  /**
   * Alerting rules of your own, keyed by alert name (a Prometheus metric name: letters, digits, _ and :, not starting with a digit; not the name of a built-in alert). Each goes into the PrometheusRule of the environments it names (all by default), and its tests into the generated promtool tests. Top level only: scope a rule to environments with its environments: list (docs/alerting.md).
   */
  custom?: {
    [k: string]: CustomAlert;
  };
}
/**
 * One alerting rule of your own.
 */
export interface CustomAlert {
  /**
   * The PromQL expression; every series it returns is a firing alert (after for:). Parsed by fabric validate.
   */
  expr: string;
  /**
   * How long the expression must hold before the alert fires; omitted, it fires at the first evaluation that returns it.
   */
  for?: string;
  /**
   * The severity label, as the built-in alerts use it (a critical alert silences the warning of the same alertname and env).
   */
  severity: 'critical' | 'warning';
  /**
   * The summary annotation: one line a person reads in the notification. May use Prometheus templates ({{ $labels.job }}, {{ $value }}).
   */
  summary: string;
  /**
   * The description annotation: what is wrong and what it affects.
   */
  description?: string;
  /**
   * The runbook_url annotation: where the person who is paged reads what to do (an https URL).
   */
  runbookURL?: string;
  /**
   * Environments whose PrometheusRule carries the rule; omitted, every environment.
   *
   * @minItems 1
   */
  environments?: [string, ...string[]];
  /**
   * promtool unit tests of the rule, run by fabric compile --verify.
   *
   * @maxItems 100
   */
  tests?: CustomAlertTest[];
}
/**
 * One promtool test: input series, and a time at which the alert must fire (firesAt) or must not (silentAt). Give exactly one of firesAt and silentAt.
 */
export interface CustomAlertTest {
  /**
   * Input series: a series selector with = matchers only (queue_depth{job="worker"}) -> its values in promtool's expanding notation, one sample per interval: 'a+bxN' (N+1 samples from a, growing by b), 'axN', '_' (no sample), '_xN', 'stale'; separated by spaces.
   */
  series: {
    [k: string]: string;
  };
  /**
   * Time between two samples of the input series.
   */
  interval?: string;
  /**
   * Time (from the first sample) at which the alert must be firing, with its severity and env labels.
   */
  firesAt?: string;
  /**
   * Time (from the first sample) at which the alert must not be firing.
   */
  silentAt?: string;
  /**
   * With firesAt: the labels of the one firing alert besides alertname, severity and env (those of the series the expression returns, e.g. { job: worker }); given, the test expects exactly that alert.
   */
  labels?: {
    [k: string]: string;
  };
}
/**
 * Overrides of the top-level alerting for this environment.
 */
export interface Alerting {
  /**
   * Receivers by name.
   */
  receivers?: {
    [k: string]: Receiver;
  };
  /**
   * The top route. `match` is not allowed here: every alert of the environment enters it.
   */
  route?: {
    /**
     * A receiver name: letters, digits, - and _, starting with a letter.
     */
    receiver: string;
    /**
     * Labels alerts are grouped by into one notification.
     */
    groupBy?: string[];
    /**
     * Child routes, tried in order.
     *
     * @maxItems 50
     */
    routes?: Route[];
  };
}
/**
 * Where notifications go: one or more integrations. Secrets are references, never values.
 */
export interface Receiver {
  /**
   * PagerDuty Events API v2.
   */
  pagerduty?: {
    routingKey: SecretRef;
  };
  /**
   * A Slack incoming webhook.
   */
  slack?: {
    /**
     * Channel to post to, e.g. "#alerts" (the webhook's own channel when omitted).
     */
    channel?: string;
    url: SecretRef1;
  };
  /**
   * A generic webhook (Alertmanager webhook payload).
   */
  webhook?: {
    url: SecretRef2;
  };
  /**
   * Email through an SMTP smarthost.
   */
  email?: {
    /**
     * Recipient address.
     */
    to: string;
    /**
     * Sender address (also the SMTP user name).
     */
    from: string;
    /**
     * SMTP server as host:port.
     */
    smarthost: string;
    password?: SecretRef3;
  };
}
/**
 * The integration (routing) key.
 */
export interface SecretRef {
  /**
   * Name of the Secret (a DNS-1123 subdomain name).
   */
  secret: string;
  /**
   * Key within the Secret.
   */
  key: string;
}
/**
 * The webhook URL.
 */
export interface SecretRef1 {
  /**
   * Name of the Secret (a DNS-1123 subdomain name).
   */
  secret: string;
  /**
   * Key within the Secret.
   */
  key: string;
}
/**
 * The URL to POST to.
 */
export interface SecretRef2 {
  /**
   * Name of the Secret (a DNS-1123 subdomain name).
   */
  secret: string;
  /**
   * Key within the Secret.
   */
  key: string;
}
/**
 * SMTP password (omit for a relay without authentication).
 */
export interface SecretRef3 {
  /**
   * Name of the Secret (a DNS-1123 subdomain name).
   */
  secret: string;
  /**
   * Key within the Secret.
   */
  key: string;
}
/**
 * A child route, as Alertmanager routes: the children of a route are tried in order and the first that matches takes the alert, unless it sets continue. An alert taken by any child, even one with continue, no longer goes to the parent's receiver: to copy alerts to an extra receiver, put its route first with continue: true and end with a route to the default receiver (docs/alerting.md).
 */
export interface Route {
  /**
   * A receiver name: letters, digits, - and _, starting with a letter.
   */
  receiver: string;
  /**
   * Label equality matchers (all must hold).
   */
  match?: {
    [k: string]: string;
  };
  /**
   * After this route took the alert, try its later siblings too (it still takes the alert from the parent's receiver).
   */
  continue?: boolean;
  /**
   * Child routes, tried in order.
   *
   * @maxItems 50
   */
  routes?: Route[];
}
/**
 * The one Grafana in the monitoring cluster.
 */
export interface Grafana {
  /**
   * NodePort of the Grafana Service.
   */
  nodePort?: number;
  /**
   * Ingress host of Grafana.
   */
  host?: string;
  /**
   * Name of the Secret (keys admin-user, admin-password) in the monitoring namespace that holds the Grafana admin credentials. fabric never writes it to git; fabric apply creates it with a random password when absent.
   */
  adminSecret?: string;
}
/**
 * An instrumented application (see runtime-app/).
 */
export interface App {
  /**
   * Image reference with a pinned tag or digest (never latest).
   */
  image: string;
  /**
   * Container port the app listens on.
   */
  port: number;
  /**
   * NodePort of the app's Service on each member cluster.
   */
  nodePort?: number;
  /**
   * Replicas per member cluster.
   */
  replicas?: number;
  /**
   * Environments that run the app (default: all).
   *
   * @minItems 1
   */
  environments?: [EnvironmentName, ...EnvironmentName[]];
  /**
   * Ingress host per environment.
   */
  hosts?: {
    [k: string]: Host;
  };
  /**
   * HTTP readiness and liveness probe (default: path /health on the app's port).
   */
  probes?: {
    path?: string;
    port?: number;
  };
  /**
   * Pod security context (default: runAsNonRoot, runAsUser and runAsGroup 10001).
   */
  securityContext?: {
    runAsUser?: number;
    runAsGroup?: number;
    fsGroup?: number;
    runAsNonRoot?: boolean;
  };
  resources?: Resources;
  env?: EnvVars;
}
/**
 * Container requests and limits; each key replaces the one fabric sets, keys not named are kept.
 */
export interface Resources {
  requests?: {
    cpu?: Quantity;
    memory?: Quantity;
    'ephemeral-storage'?: Quantity;
  };
  limits?: {
    cpu?: Quantity;
    memory?: Quantity;
    'ephemeral-storage'?: Quantity;
  };
}
/**
 * Environment variables of the main container, by name: under overrides a variable the component sets is replaced; an app may not set fabric's own (PORT, POD_UID, OTEL_*).
 */
export interface EnvVars {
  [k: string]: string;
}
/**
 * Alert thresholds for every environment. Each environment may override them under environments.<env>.alerts.
 */
export interface Alerts1 {
  /**
   * Share of requests answered with a 5xx, as a ratio (0.05 = 5%).
   */
  errorRate?: {
    /**
     * Generate this alert.
     */
    enabled?: boolean;
    /**
     * Ratio of 5xx responses above which the alert fires: at least 0.000001 (one in a million), below 1 (0.05 = 5%).
     */
    threshold?: number;
    /**
     * How long the condition must hold: at least 1m (Mimir's ruler evaluates every minute), at most 6h.
     */
    for?: string;
  };
  /**
   * 95th percentile of request duration.
   */
  latencyP95?: {
    /**
     * Generate this alert.
     */
    enabled?: boolean;
    /**
     * p95 latency above which the alert fires: below 10s, where the OpenTelemetry default buckets of http.server.request.duration end.
     */
    threshold?: string;
    /**
     * How long the condition must hold: at least 1m (Mimir's ruler evaluates every minute), at most 6h.
     */
    for?: string;
  };
  /**
   * Container restarts of the apps' pods (from kube-state-metrics).
   */
  podRestarts?: {
    /**
     * Generate this alert.
     */
    enabled?: boolean;
    /**
     * Restarts within the window at or above which the alert fires.
     */
    threshold?: number;
    /**
     * Window over which restarts are counted: at least 2m (two samples at a 1m interval), at most 7d.
     */
    window?: string;
  };
  /**
   * Request rate below which an app looks idle or cut off.
   */
  lowRequestRate?: {
    /**
     * Generate this alert.
     */
    enabled?: boolean;
    /**
     * Requests per second below which the alert fires, probe requests not counted: from 0.001 to 1000000.
     */
    threshold?: number;
    /**
     * How long the condition must hold: at least 1m (Mimir's ruler evaluates every minute), at most 6h.
     */
    for?: string;
  };
  /**
   * No telemetry from an app (pushed metrics have no up series, so this watches target_info).
   */
  serviceDown?: {
    /**
     * Generate this alert.
     */
    enabled?: boolean;
    /**
     * How long the app must be silent after 2m without telemetry: at least 1m, at most 6h.
     */
    for?: string;
  };
  /**
   * Alerting rules of your own, keyed by alert name (a Prometheus metric name: letters, digits, _ and :, not starting with a digit; not the name of a built-in alert). Each goes into the PrometheusRule of the environments it names (all by default), and its tests into the generated promtool tests. Top level only: scope a rule to environments with its environments: list (docs/alerting.md).
   */
  custom?: {
    [k: string]: CustomAlert;
  };
}
/**
 * Settings fabric's templates do not expose, for one component, written into its overlays as kustomize patches (docs/overrides.md).
 */
export interface Override {
  /**
   * Only the overlays of these environments (default: every overlay of the component).
   *
   * @minItems 1
   */
  environments?: [EnvironmentName, ...EnvironmentName[]];
  /**
   * Only the overlays of these member clusters (per-cluster components and apps).
   *
   * @minItems 1
   *
   * Items: Cluster name: also the minikube profile, the kube context and the ArgoCD cluster name. A lowercase DNS-1123 label that starts with a letter, 2 to 40 characters.
   */
  clusters?: [string, ...string[]];
  resources?: Resources;
  /**
   * Replicas of the component's workload (not for DaemonSets).
   */
  replicas?: number;
  env?: EnvVars;
  /**
   * Node labels the pods must match (merged with fabric's).
   */
  nodeSelector?: {
    [k: string]: string;
  };
  /**
   * Tolerations of the pods (replace fabric's).
   *
   * @maxItems 50
   */
  tolerations?: Toleration[];
  /**
   * kustomize patches on objects of the component's base.
   *
   * @maxItems 50
   */
  patches?: Patch[];
  /**
   * A directory (relative to the spec) of extra manifests added to the component's overlays.
   */
  resourcesDir?: string;
}
/**
 * A pod toleration, as in Kubernetes (the list replaces fabric's tolerations).
 */
export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  tolerationSeconds?: number;
}
/**
 * A kustomize patch on one object of the component's base: `patch` (strategic merge) or `ops` (JSON 6902).
 */
export interface Patch {
  /**
   * The object patched, by kind and its name in the base (before the overlay's name suffix).
   */
  target: {
    kind: string;
    name: K8SName;
  };
  /**
   * Strategic merge patch body (apiVersion, kind and metadata.name come from target).
   */
  patch?: {};
  /**
   * JSON 6902 operations (at least one).
   *
   * @maxItems 100
   */
  ops?: {
    op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
    path: string;
    from?: string;
    value?: unknown;
  }[];
}
/**
 * Notifications for every environment. An environment may override it under environments.<env>.alerting: its receivers are added to (or replace by name) the top-level ones, its route replaces the top-level route.
 */
export interface Alerting1 {
  /**
   * Receivers by name.
   */
  receivers?: {
    [k: string]: Receiver;
  };
  /**
   * The top route. `match` is not allowed here: every alert of the environment enters it.
   */
  route?: {
    /**
     * A receiver name: letters, digits, - and _, starting with a letter.
     */
    receiver: string;
    /**
     * Labels alerts are grouped by into one notification.
     */
    groupBy?: string[];
    /**
     * Child routes, tried in order.
     *
     * @maxItems 50
     */
    routes?: Route[];
  };
}
