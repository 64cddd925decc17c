// Stage 3: the model. A pure function from a validated spec to every value the
// output needs, derived once: names, namespaces, endpoints, ports, datasource
// UIDs, tenants, retention in each backend's unit, ArgoCD labels. Templates
// only lay these values out; every decision is made here.
import schema from '../schema/fabric.schema.json' with { type: 'json' };
import type { FabricYaml } from './spec-types.ts';
import { durationSeconds, goHours, memoryMiB, promDuration } from './units.ts';
import { DEFAULT_SUBNET } from './validate/semantic.ts';

/** Pinned upstream versions (see the README's version table and its sources). */
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
} as const;

export const NAMESPACES = {
  monitoring: 'monitoring',
  agents: 'observability',
  apps: 'apps',
  argocd: 'argocd',
} as const;

/** Label keys fabric puts on ArgoCD cluster Secrets; ApplicationSets select on them. */
export const CLUSTER_LABELS = {
  role: 'fabric.dev/role',
  environment: 'fabric.dev/environment',
  fleet: 'fabric.dev/fleet',
} as const;

/** Ports the backends listen on inside the monitoring cluster. */
export const BACKEND_PORTS = {
  mimirHttp: 8080,
  mimirGrpc: 9095,
  lokiHttp: 3100,
  lokiGrpc: 9095,
  tempoHttp: 3200,
  tempoGrpc: 9095,
  tempoOtlpGrpc: 4317,
  tempoOtlpHttp: 4318,
  grafana: 3000,
} as const;

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
  mimir: BackendEndpoint;
  loki: BackendEndpoint;
  tempo: BackendEndpoint & { query: string };
  storage: { metrics: string; logs: string; traces: string };
  /** Longest retention among its environments, for the global settings; per-tenant values go in overrides. */
  retention: RetentionModel;
  tenants: { id: string; retention: RetentionModel }[];
  /** CIDRs the member clusters of its environments send from (NetworkPolicy sources). */
  agentSources: string[];
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
  errorRate?: { threshold: number; for: string };
  latencyP95?: { thresholdSeconds: number; for: string };
  podRestarts?: { threshold: number; window: string };
  lowRequestRate?: { threshold: number; for: string };
  serviceDown?: { for: string };
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
}

export interface Model {
  name: string;
  /** Spec path as given, for headers. */
  specPath: string;
  git: {
    repoURL: string;
    revision: string;
    path: string;
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
  };
  tenancy: 'isolated' | 'shared';
  clusters: ClusterModel[];
  control: ClusterModel;
  monitoring: ClusterModel;
  environments: EnvironmentModel[];
  backendSets: BackendSet[];
  apps: AppModel[];
  grafana: { nodePort: number; host: string; adminSecret: string; url: string };
}

type Json = Record<string, any>;
const defs = (schema as Json).$defs as Json;
/** Defaults come from the schema, so documentation and behaviour cannot drift. */
const dflt = (...path: string[]): any => path.reduce((o: Json, k) => o?.[k], defs).default;

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export function buildModel(spec: FabricYaml, specPath: string): Model {
  const platformDefaults = defs.platform.properties;
  const platform = {
    driver: spec.platform?.driver ?? platformDefaults.driver.default,
    network: spec.platform?.network ?? platformDefaults.network.default,
    subnet: spec.platform?.subnet ?? DEFAULT_SUBNET,
    kubernetesVersion: spec.platform?.kubernetesVersion ?? platformDefaults.kubernetesVersion.default,
    cni: spec.platform?.cni ?? platformDefaults.cni.default,
    memoryBudgetMiB: spec.platform?.memoryBudget ? memoryMiB(spec.platform.memoryBudget) : undefined,
  };
  const defaultProvider = spec.platform?.provider ?? platformDefaults.provider.default;
  const tenancy = spec.backends?.tenancy ?? dflt('backends', 'properties', 'tenancy');

  const clusters: ClusterModel[] = Object.entries(spec.clusters)
    .map(([name, c]) => {
      const provider = c.provider ?? defaultProvider;
      const argocdLabels: Record<string, string> = { [CLUSTER_LABELS.fleet]: spec.name, [CLUSTER_LABELS.role]: c.role };
      if (c.environment) argocdLabels[CLUSTER_LABELS.environment] = c.environment;
      return {
        name,
        role: c.role,
        environment: c.environment,
        provider,
        ip: c.ip,
        cpus: c.cpus ?? defs.cluster.properties.cpus.default,
        memoryMiB: memoryMiB(c.memory ?? defs.cluster.properties.memory.default),
        context: c.context ?? name,
        // minikube's API server listens on 8443 at the node IP on the shared network.
        server: c.server ?? `https://${c.ip}:8443`,
        argocdLabels,
      };
    })
    .sort(byName);
  const control = clusters.find((c) => c.role === 'control')!;
  const monitoring = clusters.find((c) => c.role === 'monitoring')!;
  const monitoringAddress = monitoring.ip!;
  // Indexes built once: a fleet has hundreds of clusters and environments.
  const membersByEnv = new Map<string, ClusterModel[]>();
  for (const c of clusters.filter((c) => c.role === 'member')) {
    if (!membersByEnv.has(c.environment!)) membersByEnv.set(c.environment!, []);
    membersByEnv.get(c.environment!)!.push(c);
  }

  const storageFor = (env?: string) => {
    const s = { ...spec.backends?.storage, ...(env ? spec.environments[env].storage : undefined) };
    return {
      metrics: s.metrics ?? dflt('storage', 'properties', 'metrics'),
      logs: s.logs ?? dflt('storage', 'properties', 'logs'),
      traces: s.traces ?? dflt('storage', 'properties', 'traces'),
    };
  };
  const retentionFor = (env: string): RetentionModel => {
    const r = spec.environments[env].retention ?? {};
    const rp = defs.environment.properties.retention.properties;
    return {
      metrics: promDuration(durationSeconds(r.metrics ?? rp.metrics.default)),
      logs: `${durationSeconds(r.logs ?? rp.logs.default) / 3600}h`,
      traces: goHours(durationSeconds(r.traces ?? rp.traces.default)),
    };
  };
  const longest = (rs: RetentionModel[]): RetentionModel => {
    const max = (pick: (r: RetentionModel) => string, fmt: (s: number) => string) =>
      fmt(Math.max(...rs.map((r) => durationSeconds(pick(r)))));
    return {
      metrics: max((r) => r.metrics, promDuration),
      logs: max(
        (r) => r.logs,
        (s) => `${s / 3600}h`,
      ),
      traces: max((r) => r.traces, goHours),
    };
  };

  const envNames = Object.keys(spec.environments).sort();
  const makeBackendSet = (
    key: string,
    ports: { mimir: number; loki: number; tempo: number },
    environments: string[],
  ): BackendSet => {
    const suffix = `-${key}`;
    const svc = (component: string, port: number) =>
      `http://${component}${suffix}.${NAMESPACES.monitoring}.svc.cluster.local:${port}`;
    const retentions = environments.map(retentionFor);
    return {
      key,
      environments,
      mimir: {
        name: `mimir${suffix}`,
        internal: svc('mimir', BACKEND_PORTS.mimirHttp),
        nodePort: ports.mimir,
        external: `http://${monitoringAddress}:${ports.mimir}`,
      },
      loki: {
        name: `loki${suffix}`,
        internal: svc('loki', BACKEND_PORTS.lokiHttp),
        nodePort: ports.loki,
        external: `http://${monitoringAddress}:${ports.loki}`,
      },
      tempo: {
        name: `tempo${suffix}`,
        internal: `tempo${suffix}.${NAMESPACES.monitoring}.svc.cluster.local:${BACKEND_PORTS.tempoOtlpGrpc}`,
        query: svc('tempo', BACKEND_PORTS.tempoHttp),
        nodePort: ports.tempo,
        // OTLP gRPC: host:port, no scheme.
        external: `${monitoringAddress}:${ports.tempo}`,
      },
      storage: storageFor(key === 'shared' ? undefined : key),
      retention: longest(retentions),
      tenants: tenancy === 'shared' ? environments.map((env, i) => ({ id: env, retention: retentions[i] })) : [],
      agentSources: agentSources(environments.flatMap((env) => membersByEnv.get(env) ?? [])),
    };
  };
  const backendSets: BackendSet[] =
    tenancy === 'shared'
      ? [makeBackendSet('shared', spec.backends!.ports!, envNames)]
      : envNames.map((env) => makeBackendSet(env, spec.environments[env].ports!, [env]));

  const apps: AppModel[] = Object.entries(spec.apps ?? {})
    .map(([name, a]) => ({
      name,
      image: a.image,
      port: a.port,
      nodePort: a.nodePort,
      replicas: a.replicas ?? defs.app.properties.replicas.default,
      environments: [...(a.environments ?? envNames)].sort(),
      // No prototype: an environment named `constructor` must not find Object's (RELIABILITY A8).
      hosts: Object.assign(
        Object.create(null) as Record<string, string>,
        Object.fromEntries(Object.entries(a.hosts ?? {}).sort(([x], [y]) => (x < y ? -1 : 1))),
      ),
    }))
    .sort(byName);

  const backendSetOf = new Map(backendSets.flatMap((set) => set.environments.map((env) => [env, set] as const)));
  const appEnvironments = apps.map((a) => ({ name: a.name, runsIn: new Set(a.environments) }));
  const environments: EnvironmentModel[] = envNames.map((env) => ({
    name: env,
    alloyLabel: env.replace(/-/g, '_'),
    memberClusters: (membersByEnv.get(env) ?? []).map((c) => c.name),
    backends: backendSetOf.get(env)!,
    tenant: tenancy === 'shared' ? env : undefined,
    retention: retentionFor(env),
    alerts: resolveAlerts(spec, env),
    apps: appEnvironments.filter((a) => a.runsIn.has(env)).map((a) => a.name),
    datasources: { mimir: `mimir-${env}`, loki: `loki-${env}`, tempo: `tempo-${env}` },
    project: `env-${env}`,
  }));

  const grafanaDefaults = defs.grafana.properties;
  const grafanaNodePort = spec.grafana?.nodePort ?? grafanaDefaults.nodePort.default;
  return {
    name: spec.name,
    specPath,
    git: {
      repoURL: spec.git.repoURL,
      revision: spec.git.revision ?? defs.git.properties.revision.default,
      path: spec.git.path ?? '',
      ...(spec.git.credentials ? { credentials: spec.git.credentials } : {}),
    },
    platform,
    tenancy,
    clusters,
    control,
    monitoring,
    environments,
    backendSets,
    apps,
    grafana: {
      nodePort: grafanaNodePort,
      host: spec.grafana?.host ?? grafanaDefaults.host.default,
      adminSecret: spec.grafana?.adminSecret ?? grafanaDefaults.adminSecret.default,
      url: `http://${monitoringAddress}:${grafanaNodePort}`,
    },
  };
}

/**
 * Where a set's agents connect from: minikube nodes on the shared network
 * keep their address (the NodePort Services use externalTrafficPolicy Local).
 * An existing cluster's egress address is unknown, so its backends accept any.
 */
function agentSources(members: ClusterModel[]): string[] {
  if (members.some((c) => c.provider === 'existing')) return ['0.0.0.0/0'];
  return [...new Set(members.map((c) => `${c.ip}/32`))].sort();
}

/** Top-level alerts, overridden field by field by the environment's own. */
function resolveAlerts(spec: FabricYaml, env: string): AlertModel {
  const top = spec.alerts ?? {};
  const own = spec.environments[env].alerts ?? {};
  const ad = defs.alerts.properties;
  const field = <K extends keyof typeof top>(alert: K, key: string): any =>
    (own[alert] as Json | undefined)?.[key] ??
    (top[alert] as Json | undefined)?.[key] ??
    ad[alert].properties[key].default;
  const on = (alert: keyof typeof top) => field(alert, 'enabled') !== false;
  // Prometheus reads each unit once, largest first: `30m1h` or `1d1d` are written out as `90m` and `2d`.
  const duration = <K extends keyof typeof top>(alert: K, key: string): string =>
    promDuration(durationSeconds(field(alert, key)));
  const out: AlertModel = {};
  if (on('errorRate'))
    out.errorRate = { threshold: field('errorRate', 'threshold'), for: duration('errorRate', 'for') };
  if (on('latencyP95'))
    out.latencyP95 = {
      thresholdSeconds: durationSeconds(field('latencyP95', 'threshold')),
      for: duration('latencyP95', 'for'),
    };
  if (on('podRestarts'))
    out.podRestarts = { threshold: field('podRestarts', 'threshold'), window: duration('podRestarts', 'window') };
  if (on('lowRequestRate'))
    out.lowRequestRate = { threshold: field('lowRequestRate', 'threshold'), for: duration('lowRequestRate', 'for') };
  if (on('serviceDown')) out.serviceDown = { for: duration('serviceDown', 'for') };
  return out;
}
