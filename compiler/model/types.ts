// The model's types: what render, the runner, verify and the fuzzer read.
// Built by buildModel (model/index.ts); constants in model/constants.ts.
import type { FabricYaml } from '../spec-types.ts';
import type { CustomRule } from './custom-rules.ts';

export type Role = 'control' | 'monitoring' | 'member';

export interface ClusterModel {
  name: string;
  role: Role;
  environment?: string;
  provider: 'minikube' | 'existing';
  /** Address of the cluster's node on the shared network (minikube), or where its NodePorts are reached. */
  ip?: string;
  cpus: number;
  memoryMiB: number;
  /** kube context fabric targets with --context. */
  context: string;
  /** API server URL as ArgoCD in the control cluster reaches it. */
  server: string;
  /** Labels of the ArgoCD cluster Secret. */
  argocdLabels: Record<string, string>;
  /** Addresses an existing cluster sends from (clusters.<name>.egressCIDRs). */
  egressCIDRs: string[];
  /** Members: the ingest gateway's base URL this cluster's agents write to. */
  ingestUrl?: string;
}

/** The authenticated write path into the backends, in the monitoring cluster. */
export interface IngestModel {
  /** NodePort of the plain HTTP listener on the shared network (minikube members). */
  nodePort: number;
  /** Base URL minikube members use: monitoring node IP + nodePort. */
  sharedUrl: string;
  /** Base URL existing members use (clusters.<monitoring>.ingest.url, without a trailing slash). */
  url?: string;
  /** kubernetes.io/tls Secret of the public listener (ingest.tls.secret); no TLS listener without it. */
  tlsSecret?: string;
  /** CIDRs admitted to the gateway by NetworkPolicy: minikube members (/32) and existing members' egressCIDRs. */
  sources: string[];
  /** One user per environment (user = environment name): which backend set and tenant it writes to. */
  users: { name: string; backendSet: string; tenant?: string }[];
}

export interface BackendEndpoint {
  /** Object name (Service, StatefulSet) in the monitoring namespace. */
  name: string;
  /** In-cluster URL or host:port used inside the monitoring cluster. */
  internal: string;
  /** NodePort through which member clusters reach it. */
  nodePort: number;
  /** Address member clusters use: monitoring node IP + NodePort. */
  external: string;
}

/** One Mimir + Loki + Tempo: per environment (isolated) or one for all (shared). */
export interface BackendSet {
  /** Environment name, or 'shared'. */
  key: string;
  /** Environments whose data it holds. */
  environments: string[];
  /** Full URLs: `push` (remote write), `prometheus` (query API prefix). */
  mimir: BackendEndpoint & {
    internalUrls: { push: string; prometheus: string };
    externalUrls: { push: string; prometheus: string };
  };
  /** Full URLs: `otlp` (OTLP logs), `push` (Loki push API). */
  loki: BackendEndpoint & {
    internalUrls: { otlp: string; push: string };
    externalUrls: { otlp: string; push: string };
  };
  tempo: BackendEndpoint & { query: string; otlpHttp: string };
  storage: { metrics: string; logs: string; traces: string };
  /** Longest retention among its environments, for the global settings; per-tenant values go in overrides. */
  retention: RetentionModel;
  tenants: { id: string; retention: RetentionModel }[];
  /** Its Mimir's Alertmanager fallback config (model/alerting.ts). */
  alertmanager: AlertmanagerModel;
}

export interface RetentionModel {
  /** Mimir compactor_blocks_retention_period (Prometheus duration). */
  metrics: string;
  /** Loki retention_period, in hours. */
  logs: string;
  /** Tempo block_retention, as a Go duration (no `d` unit). */
  traces: string;
}

export interface AlertModel {
  /** `thresholdText`: the threshold as a percentage for summaries, computed once and exactly (0.07 -> "7%"). */
  errorRate?: { threshold: number; thresholdText: string; for: string };
  latencyP95?: { thresholdSeconds: number; for: string };
  podRestarts?: { threshold: number; window: string };
  lowRequestRate?: { threshold: number; for: string };
  serviceDown?: { for: string };
}

/** A key of a Secret in the monitoring namespace of the monitoring cluster. */
export interface SecretKeyRef {
  secret: string;
  key: string;
}

/** A receiver as the spec gives it (secrets are references). */
export interface ReceiverModel {
  name: string;
  pagerduty?: { routingKey: SecretKeyRef };
  slack?: { channel?: string; url: SecretKeyRef };
  webhook?: { url: SecretKeyRef };
  email?: { to: string; from: string; smarthost: string; password?: SecretKeyRef };
}

export interface RouteModel {
  receiver: string;
  match: Record<string, string>;
  continue: boolean;
  routes: RouteModel[];
}

/** An environment's notifications: top-level alerting overridden by its own. */
export interface AlertingModel {
  receivers: ReceiverModel[];
  route: RouteModel & { groupBy: string[] };
}

/** The Alertmanager fallback config of one Mimir, and the Secrets it reads (mounted into Mimir). */
export interface AlertmanagerModel {
  config: Record<string, unknown>;
  secrets: string[];
}

export interface EnvironmentModel {
  name: string;
  /** The environment as an Alloy identifier (`-` becomes `_`; injective for DNS labels). */
  alloyLabel: string;
  memberClusters: string[];
  backends: BackendSet;
  /** X-Scope-OrgID: the environment name with tenancy shared, none with isolated. */
  tenant?: string;
  retention: RetentionModel;
  alerts: AlertModel;
  /** Its rules from alerts.custom (model/custom-rules.ts). */
  customRules: CustomRule[];
  /** Where its alerts are sent; none without a route. */
  alerting?: AlertingModel;
  /** Apps that run in this environment. */
  apps: string[];
  datasources: { mimir: string; loki: string; tempo: string };
  /** ArgoCD AppProject that confines this environment's applications. */
  project: string;
}

export interface AppModel {
  name: string;
  image: string;
  port: number;
  nodePort?: number;
  replicas: number;
  environments: string[];
  hosts: Record<string, string>;
  probes: { path: string; port?: number };
  securityContext: { runAsNonRoot: boolean; runAsUser: number; runAsGroup: number; fsGroup?: number };
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  /** Variables added after fabric's own (names fabric sets are refused by FAB243). */
  env: { name: string; value: string }[];
}

export interface Model {
  name: string;
  /** Spec path as given, for headers. */
  specPath: string;
  git: {
    repoURL: string;
    revision: string;
    path: string;
    /** The generated README's web page as the spec gives it (git.readmeURL); otherwise derived (builtin-alerts.ts). */
    readmeURL?: string;
    /** Where ArgoCD's credential for a private repository comes from (never its value). */
    credentials?: NonNullable<FabricYaml['git']['credentials']>;
  };
  platform: {
    driver: string;
    network: string;
    subnet: string;
    kubernetesVersion: string;
    cni: string;
    memoryBudgetMiB?: number;
    /** Where existing clusters pull locally built app images from (platform.registry). */
    registry?: string;
  };
  tenancy: 'isolated' | 'shared';
  clusters: ClusterModel[];
  control: ClusterModel;
  monitoring: ClusterModel;
  environments: EnvironmentModel[];
  backendSets: BackendSet[];
  apps: AppModel[];
  ingest: IngestModel;
  grafana: { nodePort: number; host: string; adminSecret: string; url: string };
  /** What ArgoCD deploys where: the one list render, targets, the runner, verify and the fuzzer read. */
  deployments: Deployment[];
  /** `overrides:` of the spec, one per component named there. */
  overrides: OverrideModel[];
  /** The ArgoCD AppProjects: one per environment, then the platform project (model/projects.ts). */
  projects: ProjectModel[];
}

/** A cluster-scoped object an AppProject admits: ArgoCD's ClusterResourceRestrictionItem with a name. */
export interface ClusterResourceRef {
  /** API group, "" for the core group. */
  group: string;
  kind: string;
  name: string;
}

export interface ProjectModel {
  name: string;
  description: string;
  sourceRepos: string[];
  destinations: { server: string; namespace: string }[];
  /** Exactly the cluster-scoped objects its Applications create, sorted by group, kind and name. */
  clusterResources: ClusterResourceRef[];
}

/** The ArgoCD object that creates a deployment's Application (a file under gitops/argocd-apps/). */
export type Generator = 'monitoring-stack' | 'operators' | 'alerting-rules' | 'alloy-agents' | 'instrumented-apps';

/** One ArgoCD Application: which tree directories it syncs, into which cluster and namespace, under which project. */
export interface Deployment {
  /** Component directory name: `mimir`, `alloy-agent`, an app's name, ... */
  component: string;
  /** Directories of the tree it syncs (relative to the tree root, without git.path); none for the upstream CRDs. */
  sources: string[];
  /** Destination cluster name. */
  cluster: string;
  /** ArgoCD Application name (unique across the fleet: FAB221). */
  application: string;
  namespace: string;
  project: string;
  generator: Generator;
  /** Member deployments: the environment whose generator creates it. */
  environment?: string;
  /** For messages: what it deploys, and where the spec declares what it is named after. */
  what: string;
  declaredAt?: string[];
}

/** The little of a fleet the deployments follow from; buildModel and the FAB221 check both make one. */
export interface FleetShape {
  tenancy: 'isolated' | 'shared';
  /** Sorted environment names. */
  environments: string[];
  /** The monitoring cluster's name (a spec being validated may lack one: then ''). */
  monitoring: string;
  /** Member clusters (sorted by name) and their environment. */
  members: { name: string; environment: string }[];
  /** Apps (sorted by name) and the environments they run in. */
  apps: { name: string; environments: string[] }[];
}

/** `overrides.<component>` of the spec, resolved to the overlays it reaches (render writes it as kustomize patches). */
export interface OverrideModel {
  component: string;
  /** The component's directory (its base is `<dir>/base`). */
  componentDir: string;
  /** Overlay directories it is written into. */
  overlays: string[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  replicas?: number;
  env?: Record<string, string>;
  nodeSelector?: Record<string, string>;
  tolerations?: Record<string, unknown>[];
  patches: {
    target: { kind: string; name: string };
    patch?: Record<string, unknown>;
    ops?: Record<string, unknown>[];
  }[];
  /** Files of resourcesDir, read at the load edge (compiler/load/resources-dir.ts). */
  extraFiles: ExtraManifest[];
}

export interface ExtraManifest {
  /** File name inside resourcesDir. */
  name: string;
  contents: string;
  /** Each document's apiVersion, kind and metadata.name (checked when it was read). */
  objects: { apiVersion: string; kind: string; name: string }[];
}
