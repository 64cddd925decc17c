// Which directory of the tree ArgoCD deploys to which cluster, under which
// Application name, namespace and project: decided here once. Render writes the
// ApplicationSets from this list, `compile --verify` and the runner read it,
// and the FAB221 check (validate/) calls applicationNames() on the spec's shape
// before any model exists.
import { NAMESPACES, PLATFORM_PROJECT } from './constants.ts';
import type { Deployment, FleetShape } from './types.ts';

/** The backends, one instance per backend set. */
export const BACKEND_COMPONENTS = ['mimir', 'loki', 'tempo'] as const;
export type BackendComponent = (typeof BACKEND_COMPONENTS)[number];
/** What every member cluster runs, in the order of the alloy-agents ApplicationSet. */
export const MEMBER_COMPONENTS = ['namespaces', 'alloy-agent', 'kube-state-metrics'] as const;

export const componentDir = (component: string) =>
  (BACKEND_COMPONENTS as readonly string[]).includes(component) ||
  ['grafana', 'rules-sync', 'ingest-gateway'].includes(component)
    ? `gitops/components/monitoring/${component}`
    : `gitops/components/${component}`;
export const overlayDir = (component: string, overlay: string) => `${componentDir(component)}/overlays/${overlay}`;

/** Backend sets: one per environment (isolated) or one `shared`. */
export const backendSetKeys = (shape: Pick<FleetShape, 'tenancy' | 'environments'>) =>
  shape.tenancy === 'shared' ? ['shared'] : shape.environments;

export const environmentProject = (env: string) => `env-${env}`;

/** The nameSuffix of a backend instance's overlay (kustomize appends it to every name, cluster-scoped ones too). */
export const backendNameSuffix = (setKey: string) => `-${setKey}`;

function monitoringDeployments(shape: FleetShape): Deployment[] {
  const mon = shape.monitoring;
  const platform = { cluster: mon, project: PLATFORM_PROJECT, namespace: NAMESPACES.monitoring };
  const stack = (
    component: string,
    application: string,
    overlay: string,
    what: string,
    declaredAt?: string[],
  ): Deployment => ({
    // Written out, not `...platform`: V8 (Node 20) builds an object that starts with a spread and goes on
    // through a slow path (a microsecond or more each), and a fleet has thousands of these.
    cluster: platform.cluster,
    project: platform.project,
    namespace: platform.namespace,
    component,
    application,
    sources: [overlayDir(component, overlay)],
    generator: 'monitoring-stack',
    what,
    ...(declaredAt ? { declaredAt } : {}),
  });
  const backends = BACKEND_COMPONENTS.flatMap((component) =>
    backendSetKeys(shape).map((key) =>
      key === 'shared'
        ? stack(component, `${component}-${key}`, key, `the shared ${component}`)
        : stack(component, `${component}-${key}`, key, `${component} of environment '${key}'`, ['environments', key]),
    ),
  );
  return [
    {
      ...platform,
      component: 'alerting-rules',
      application: 'alerting-rules',
      sources: shape.environments.map((env) => overlayDir('alerting-rules', env)),
      generator: 'alerting-rules',
      what: "fabric's alerting-rules",
    },
    stack('namespaces', 'monitoring-namespace', mon, "fabric's monitoring-namespace"),
    stack('grafana', 'grafana', mon, "fabric's grafana"),
    stack('ingest-gateway', 'ingest-gateway', mon, "fabric's ingest-gateway"),
    stack('rules-sync', 'rules-sync', mon, "fabric's rules-sync"),
    ...(mon
      ? [
          {
            ...platform,
            component: 'prometheus-operator-crds',
            application: `prometheus-operator-crds-${mon}`,
            sources: [],
            generator: 'operators' as const,
            what: `the PrometheusRule CRD of '${mon}'`,
            declaredAt: ['clusters', mon],
          },
        ]
      : []),
    ...backends,
  ];
}

function memberDeployments(shape: FleetShape): Deployment[] {
  const member = (component: string, c: { name: string; environment: string }, app: boolean): Deployment => ({
    component,
    application: `${component}-${c.name}`,
    sources: [overlayDir(component, c.name)],
    cluster: c.name,
    namespace: app ? NAMESPACES.apps : NAMESPACES.agents,
    project: environmentProject(c.environment),
    generator: app ? 'instrumented-apps' : 'alloy-agents',
    environment: c.environment,
    what: app ? `app '${component}' on cluster '${c.name}'` : `${component} on cluster '${c.name}'`,
    declaredAt: app ? ['apps', component] : ['clusters', c.name],
  });
  const agents = MEMBER_COMPONENTS.flatMap((component) => shape.members.map((c) => member(component, c, false)));
  const apps = shape.apps.flatMap((a) => {
    const runsIn = new Set(a.environments);
    return shape.members.filter((c) => runsIn.has(c.environment)).map((c) => member(a.name, c, true));
  });
  return [...agents, ...apps];
}

/** Every Application the tree makes ArgoCD create, in a fixed order (the first claimant of a name wins in FAB221). */
export function deploymentsOf(shape: FleetShape): Deployment[] {
  return [...monitoringDeployments(shape), ...memberDeployments(shape)];
}

/** The Application names with what each deploys, for the name-collision check (FAB221). */
export function applicationNames(shape: FleetShape): Pick<Deployment, 'application' | 'what' | 'declaredAt'>[] {
  return deploymentsOf(shape).map(({ application, what, declaredAt }) => ({ application, what, declaredAt }));
}

/**
 * The directories `compile --verify` builds (sorted by path), each with the cluster it lands in and, for what an
 * Application syncs, that Application's project and destination namespace.
 */
export function deployTargets(
  deployments: Deployment[],
  control: string,
): { path: string; cluster: string; project?: string; namespace?: string }[] {
  const targets = new Map<string, { path: string; cluster: string; project?: string; namespace?: string }>([
    ['gitops/argocd-apps', { path: 'gitops/argocd-apps', cluster: control }],
  ]);
  for (const d of deployments)
    for (const path of d.sources)
      targets.set(path, { path, cluster: d.cluster, project: d.project, namespace: d.namespace });
  return [...targets.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** One overlay directory of a component and what it serves: where `overrides.<component>` scopes can reach. */
export interface OverlayScope {
  component: string;
  dir: string;
  /** The environments whose workloads this overlay deploys (all of them for the shared backends and Grafana). */
  environments: string[];
  /** The member cluster it deploys to; none for the monitoring cluster's components. */
  cluster?: string;
}

/** Every overlay of every component with its environments and member cluster, from the deployments. */
export function overlayScopes(deployments: Deployment[], environments: string[]): OverlayScope[] {
  const known = new Set(environments);
  return deployments.flatMap((d) =>
    d.sources.map((dir) => {
      if (d.environment) return { component: d.component, dir, environments: [d.environment], cluster: d.cluster };
      // A backend of one environment and the alerting rules of one environment are overlays named after it.
      const key = dir.slice(dir.lastIndexOf('/') + 1);
      return { component: d.component, dir, environments: known.has(key) ? [key] : environments };
    }),
  );
}
