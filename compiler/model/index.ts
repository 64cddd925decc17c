// Stage 3: the model. A pure function from a validated spec to every value the
// output needs, derived once: names, namespaces, endpoints, ports, datasource
// UIDs, tenants, retention in each backend's unit, ArgoCD labels. Templates
// only lay these values out; every decision is made here.
import schema from '../../schema/fabric.schema.json' with { type: 'json' };
import type { FabricYaml } from '../spec-types.ts';
import { durationSeconds, goHours, memoryMiB, promDuration } from '../units.ts';
import { DEFAULT_SUBNET } from '../validate/constants.ts';
import { APP_RESOURCES, datasourceUids, LABEL_KEYS, NAMESPACES, PORTS, URL_PATHS } from './constants.ts';
import { alertingFor, alertmanagerFor } from './alerting.ts';
import { customRulesFor } from './custom-rules.ts';
import { backendSetKeys, deploymentsOf, environmentProject } from './deployments.ts';
import { percentText } from './display.ts';
import { overrideModels } from './overrides.ts';
import { projectModels } from './projects.ts';
import type {
  AlertModel,
  ExtraManifest,
  AppModel,
  BackendEndpoint,
  BackendSet,
  ClusterModel,
  EnvironmentModel,
  FleetShape,
  IngestModel,
  Model,
  RetentionModel,
} from './types.ts';

export * from './constants.ts';
export * from './types.ts';
export { BUILTIN_ALERT_NAMES, SEVERITY_LABEL, type CustomRule, type CustomRuleTest } from './custom-rules.ts';
export { overrideOverlays } from './overrides.ts';
export {
  overlayScopes,
  applicationNames,
  deploymentsOf,
  deployTargets,
  overlayDir,
  componentDir,
} from './deployments.ts';

type Json = Record<string, any>;
const defs = (schema as Json).$defs as Json;
/** Defaults come from the schema, so documentation and behaviour cannot drift. */
const dflt = (...path: string[]): any => path.reduce((o: Json, k) => o?.[k], defs).default;

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** The model of the output: every value render needs, derived once from a validated spec. */
/** `extras`: the files of each override's resourcesDir, read at the load edge (compiler/load/resources-dir.ts). */
export function buildModel(spec: FabricYaml, specPath: string, extras: Record<string, ExtraManifest[]> = {}): Model {
  const tenancy: Model['tenancy'] = spec.backends?.tenancy ?? dflt('backends', 'properties', 'tenancy');
  const clusters = clusterModels(spec);
  const control = clusters.find((c) => c.role === 'control')!;
  const monitoring = clusters.find((c) => c.role === 'monitoring')!;
  const envNames = Object.keys(spec.environments).sort();
  const backendSets = backendSetModels(spec, tenancy, envNames, monitoring.ip!);
  const apps = appModels(spec, envNames);
  const members = clusters.filter((c) => c.role === 'member');
  const environments = environmentModels(spec, tenancy, envNames, members, backendSets, apps);
  const ingest = ingestModel(spec, monitoring, members, environments);
  for (const c of members) c.ingestUrl = c.provider === 'existing' && ingest.url ? ingest.url : ingest.sharedUrl;
  // A backend set's Alertmanager serves its environments' routes, so it follows them.
  const environmentByName = new Map(environments.map((e) => [e.name, e]));
  for (const set of backendSets)
    set.alertmanager = alertmanagerFor(
      set,
      set.environments.map((name) => environmentByName.get(name)!),
    );
  const shape: FleetShape = {
    tenancy,
    environments: envNames,
    monitoring: monitoring.name,
    members: members.map((c) => ({ name: c.name, environment: c.environment! })),
    apps: apps.map((a) => ({ name: a.name, environments: a.environments })),
  };
  const deployments = deploymentsOf(shape);
  const git = {
    repoURL: spec.git.repoURL,
    revision: spec.git.revision ?? defs.git.properties.revision.default,
    path: spec.git.path ?? '',
    ...(spec.git.readmeURL ? { readmeURL: spec.git.readmeURL } : {}),
    ...(spec.git.credentials ? { credentials: spec.git.credentials } : {}),
  };
  const overrides = overrideModels(spec, deployments, envNames, extras);
  const servers = new Map(clusters.map((c) => [c.name, c.server]));
  const serverOf = (name: string) => servers.get(name)!;
  return {
    name: spec.name,
    specPath,
    git,
    platform: platformModel(spec),
    tenancy,
    clusters,
    control,
    monitoring,
    environments,
    backendSets,
    apps,
    ingest,
    grafana: grafanaModel(spec, monitoring.ip!),
    deployments,
    overrides,
    projects: projectModels({
      repoURL: git.repoURL,
      environments,
      serverOf,
      monitoringServer: monitoring.server,
      deployments,
      overrides,
    }),
  };
}

function platformModel(spec: FabricYaml): Model['platform'] {
  const d = defs.platform.properties;
  return {
    driver: spec.platform?.driver ?? d.driver.default,
    network: spec.platform?.network ?? d.network.default,
    subnet: spec.platform?.subnet ?? DEFAULT_SUBNET,
    kubernetesVersion: spec.platform?.kubernetesVersion ?? d.kubernetesVersion.default,
    cni: spec.platform?.cni ?? d.cni.default,
    memoryBudgetMiB: spec.platform?.memoryBudget ? memoryMiB(spec.platform.memoryBudget) : undefined,
    registry: spec.platform?.registry,
  };
}

function clusterModels(spec: FabricYaml): ClusterModel[] {
  const defaultProvider = spec.platform?.provider ?? defs.platform.properties.provider.default;
  return Object.entries(spec.clusters)
    .map(([name, c]) => {
      const argocdLabels: Record<string, string> = { [LABEL_KEYS.fleet]: spec.name, [LABEL_KEYS.role]: c.role };
      if (c.environment) argocdLabels[LABEL_KEYS.environment] = c.environment;
      return {
        name,
        role: c.role,
        environment: c.environment,
        provider: c.provider ?? defaultProvider,
        ip: c.ip,
        cpus: c.cpus ?? defs.cluster.properties.cpus.default,
        memoryMiB: memoryMiB(c.memory ?? defs.cluster.properties.memory.default),
        context: c.context ?? name,
        server: c.server ?? `https://${c.ip}:${PORTS.minikubeApiServer}`,
        argocdLabels,
        // A set: the same addresses in any order or repeated render the same policy.
        egressCIDRs: [...new Set(c.egressCIDRs ?? [])].sort(),
      };
    })
    .sort(byName);
}

function grafanaModel(spec: FabricYaml, monitoringAddress: string): Model['grafana'] {
  const d = defs.grafana.properties;
  const nodePort = spec.grafana?.nodePort ?? d.nodePort.default;
  return {
    nodePort,
    host: spec.grafana?.host ?? d.host.default,
    adminSecret: spec.grafana?.adminSecret ?? d.adminSecret.default,
    url: `http://${monitoringAddress}:${nodePort}`,
  };
}

function storageFor(spec: FabricYaml, env?: string): BackendSet['storage'] {
  // Object.assign, not `{ ...a, ...b }`: V8 (Node 20) builds a spread-first object through a slow path.
  const s = Object.assign({}, spec.backends?.storage, env ? spec.environments[env].storage : undefined);
  return {
    metrics: s.metrics ?? dflt('storage', 'properties', 'metrics'),
    logs: s.logs ?? dflt('storage', 'properties', 'logs'),
    traces: s.traces ?? dflt('storage', 'properties', 'traces'),
  };
}

const lokiHours = (seconds: number) => `${seconds / 3600}h`;

function retentionFor(spec: FabricYaml, env: string): RetentionModel {
  const r = spec.environments[env].retention ?? {};
  const rp = defs.environment.properties.retention.properties;
  return {
    metrics: promDuration(durationSeconds(r.metrics ?? rp.metrics.default)),
    logs: lokiHours(durationSeconds(r.logs ?? rp.logs.default)),
    traces: goHours(durationSeconds(r.traces ?? rp.traces.default)),
  };
}

function longest(rs: RetentionModel[]): RetentionModel {
  const max = (pick: (r: RetentionModel) => string, fmt: (s: number) => string) =>
    fmt(Math.max(...rs.map((r) => durationSeconds(pick(r)))));
  return {
    metrics: max((r) => r.metrics, promDuration),
    logs: max((r) => r.logs, lokiHours),
    traces: max((r) => r.traces, goHours),
  };
}

/** A backend reached inside the monitoring cluster by its Service and from members by NodePort. */
function endpoint(component: string, key: string, port: number, nodePort: number, monitoringAddress: string) {
  const name = `${component}-${key}`;
  const host = `${name}.${NAMESPACES.monitoring}.svc.cluster.local`;
  return {
    name,
    host,
    internal: `http://${host}:${port}`,
    nodePort,
    external: `http://${monitoringAddress}:${nodePort}`,
  };
}

function backendSetModels(
  spec: FabricYaml,
  tenancy: Model['tenancy'],
  envNames: string[],
  monitoringAddress: string,
): BackendSet[] {
  return backendSetKeys({ tenancy, environments: envNames }).map((key) => {
    const environments = key === 'shared' ? envNames : [key];
    const ports = key === 'shared' ? spec.backends!.ports! : spec.environments[key].ports!;
    const retentions = environments.map((env) => retentionFor(spec, env));
    const mimir = endpoint('mimir', key, PORTS.mimirHttp, ports.mimir, monitoringAddress);
    const loki = endpoint('loki', key, PORTS.lokiHttp, ports.loki, monitoringAddress);
    const tempo = endpoint('tempo', key, PORTS.tempoHttp, ports.tempo, monitoringAddress);
    return {
      key,
      environments,
      mimir: withUrls(mimir, { push: URL_PATHS.mimirPush, prometheus: URL_PATHS.mimirPrometheus }),
      loki: withUrls(loki, { otlp: URL_PATHS.lokiOtlp, push: URL_PATHS.lokiPush }),
      tempo: {
        name: tempo.name,
        // OTLP gRPC: host:port, no scheme.
        internal: `${tempo.host}:${PORTS.tempoOtlpGrpc}`,
        query: tempo.internal,
        otlpHttp: `http://${tempo.host}:${PORTS.tempoOtlpHttp}`,
        nodePort: tempo.nodePort,
        external: `${monitoringAddress}:${tempo.nodePort}`,
      },
      storage: storageFor(spec, key === 'shared' ? undefined : key),
      retention: longest(retentions),
      tenants: tenancy === 'shared' ? environments.map((env, i) => ({ id: env, retention: retentions[i] })) : [],
      alertmanager: { config: {}, secrets: [] },
    };
  });
}

/** The endpoint with full URLs of its API paths, inside (`internalUrls`) and from members (`externalUrls`). */
function withUrls<P extends Record<string, string>>(
  e: ReturnType<typeof endpoint>,
  paths: P,
): BackendEndpoint & { internalUrls: Record<keyof P, string>; externalUrls: Record<keyof P, string> } {
  const join = (base: string) =>
    Object.fromEntries(Object.entries(paths).map(([k, p]) => [k, `${base}${p}`])) as Record<keyof P, string>;
  return {
    name: e.name,
    internal: e.internal,
    nodePort: e.nodePort,
    external: e.external,
    internalUrls: join(e.internal),
    externalUrls: join(e.external),
  };
}

function appModels(spec: FabricYaml, envNames: string[]): AppModel[] {
  return Object.entries(spec.apps ?? {})
    .map(([name, a]) => ({
      name,
      image: a.image,
      port: a.port,
      nodePort: a.nodePort,
      replicas: a.replicas ?? defs.app.properties.replicas.default,
      environments: [...(a.environments ?? envNames)].sort(),
      // No prototype: an environment named `constructor` must not find Object's.
      hosts: Object.assign(
        Object.create(null) as Record<string, string>,
        Object.fromEntries(Object.entries(a.hosts ?? {}).sort(([x], [y]) => (x < y ? -1 : 1))),
      ),
      ...appRuntime(a),
    }))
    .sort(byName);
}

const sortedMap = (m: Record<string, string>) =>
  Object.fromEntries(Object.entries(m).sort(([x], [y]) => (x < y ? -1 : 1)));

const appProps = () => defs.app.properties;

/** Probes, security context, resources and extra env of an app: the spec's values over fabric's defaults. */
function appRuntime(a: NonNullable<FabricYaml['apps']>[string]) {
  const sc = appProps().securityContext.properties;
  return {
    probes: { path: a.probes?.path ?? appProps().probes.properties.path.default, port: a.probes?.port },
    securityContext: {
      runAsNonRoot: a.securityContext?.runAsNonRoot ?? sc.runAsNonRoot.default,
      runAsUser: a.securityContext?.runAsUser ?? sc.runAsUser.default,
      runAsGroup: a.securityContext?.runAsGroup ?? sc.runAsGroup.default,
      fsGroup: a.securityContext?.fsGroup,
    },
    resources: {
      requests: sortedMap({ ...APP_RESOURCES.requests, ...a.resources?.requests }),
      limits: sortedMap({ ...APP_RESOURCES.limits, ...a.resources?.limits }),
    },
    env: Object.entries(a.env ?? {})
      .sort(([x], [y]) => (x < y ? -1 : 1))
      .map(([name, value]) => ({ name, value })),
  };
}

function environmentModels(
  spec: FabricYaml,
  tenancy: Model['tenancy'],
  envNames: string[],
  members: ClusterModel[],
  backendSets: BackendSet[],
  apps: AppModel[],
): EnvironmentModel[] {
  // Indexes built once: a fleet has hundreds of clusters and environments.
  const membersByEnv = new Map<string, string[]>();
  for (const c of members) membersByEnv.set(c.environment!, [...(membersByEnv.get(c.environment!) ?? []), c.name]);
  const backendSetOf = new Map(backendSets.flatMap((set) => set.environments.map((env) => [env, set] as const)));
  const appEnvironments = apps.map((a) => ({ name: a.name, runsIn: new Set(a.environments) }));
  return envNames.map((env) => ({
    name: env,
    alloyLabel: env.replace(/-/g, '_'),
    memberClusters: membersByEnv.get(env) ?? [],
    backends: backendSetOf.get(env)!,
    // The tenancy rule, decided here once: shared backends tell environments apart by tenant.
    tenant: tenancy === 'shared' ? env : undefined,
    retention: retentionFor(spec, env),
    alerts: resolveAlerts(spec, env),
    customRules: customRulesFor(spec, env),
    alerting: alertingFor(spec, env, defs.alerting.properties.route.properties.groupBy.default),
    apps: appEnvironments.filter((a) => a.runsIn.has(env)).map((a) => a.name),
    datasources: datasourceUids(env),
    project: environmentProject(env),
  }));
}

/**
 * The ingest gateway: minikube members reach its NodePort on the shared
 * network, existing members its public URL. Its NetworkPolicy admits each
 * minikube member's node address (the NodePort Service keeps it:
 * externalTrafficPolicy Local) and each existing member's egressCIDRs; an
 * existing member without them would need 0.0.0.0/0, which validate refuses
 * (FAB229), so the model only ever sees it in a spec that did not validate.
 */
function ingestModel(
  spec: FabricYaml,
  monitoring: ClusterModel,
  members: ClusterModel[],
  environments: EnvironmentModel[],
): IngestModel {
  const own = spec.clusters[monitoring.name].ingest;
  const nodePort = own?.nodePort ?? defs.cluster.properties.ingest.properties.nodePort.default;
  const sources = members.flatMap((c) =>
    c.provider === 'existing' ? (c.egressCIDRs.length ? c.egressCIDRs : ['0.0.0.0/0']) : [`${c.ip}/32`],
  );
  return {
    nodePort,
    sharedUrl: `http://${monitoring.ip}:${nodePort}`,
    url: own?.url?.replace(/\/$/, ''),
    tlsSecret: own?.tls?.secret,
    sources: [...new Set(sources)].sort(),
    users: environments.map((e) => ({ name: e.name, backendSet: e.backends.key, tenant: e.tenant })),
  };
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
    out.errorRate = {
      threshold: field('errorRate', 'threshold'),
      thresholdText: percentText(field('errorRate', 'threshold')),
      for: duration('errorRate', 'for'),
    };
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
