// The ArgoCD AppProjects, least privilege: each project admits exactly the
// cluster-scoped objects its Applications create, by group, kind and name
// (ArgoCD >= 3.3 matches `name` in clusterResourceWhitelist entries; fabric
// pins VERSIONS.argocd; docs/runner.md, "Upstream formats"). Derived from the deployments: the cluster-scoped
// objects each component renders (the ClusterRoles of CLUSTER_ROLES, the
// namespaces component's Namespaces, the PrometheusRule CRD), the destination
// namespace every Application creates (CreateNamespace=true), and the
// cluster-scoped objects of an override's resourcesDir. `compile --verify`
// checks the result against the built tree both ways (compiler/verify/projects.ts).
import {
  CLUSTER_ROLES,
  CLUSTER_SCOPED_KINDS,
  CRD_REPO_URL,
  NAMESPACES,
  PLATFORM_PROJECT,
  apiGroupOfVersion,
  prometheusRuleCrdName,
} from './constants.ts';
import { BACKEND_COMPONENTS, backendNameSuffix } from './deployments.ts';
import type { ClusterResourceRef, Deployment, EnvironmentModel, OverrideModel, ProjectModel } from './types.ts';

const isBackend = (component: string) => (BACKEND_COMPONENTS as readonly string[]).includes(component);
const RBAC = 'rbac.authorization.k8s.io';
const namespace = (name: string): ClusterResourceRef => ({ group: '', kind: 'Namespace', name });

/** The cluster-scoped objects fabric's own templates render for a deployment (an app renders none). */
function renderedBy(d: Deployment): ClusterResourceRef[] {
  if (d.generator === 'instrumented-apps') return [];
  const role = (CLUSTER_ROLES as Record<string, string>)[d.component];
  if (role)
    return [
      { group: RBAC, kind: 'ClusterRole', name: role },
      { group: RBAC, kind: 'ClusterRoleBinding', name: role },
    ];
  if (d.component === 'namespaces')
    return (d.environment ? [NAMESPACES.agents, NAMESPACES.apps] : [NAMESPACES.monitoring]).map(namespace);
  if (d.component === 'prometheus-operator-crds')
    return [{ group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition', name: prometheusRuleCrdName }];
  return [];
}

/**
 * Cluster-scoped objects of the resourcesDir overrides written into the deployment's directories, named as
 * kustomize builds them (a backend overlay's nameSuffix applies to them).
 */
function extrasOf(d: Deployment, overrides: OverrideModel[]): ClusterResourceRef[] {
  const own = overrides.filter((o) => o.component === d.component && o.extraFiles.length > 0);
  if (own.length === 0) return [];
  return d.sources.flatMap((dir) => {
    const suffix = isBackend(d.component) ? backendNameSuffix(dir.slice(dir.lastIndexOf('/') + 1)) : '';
    return own
      .filter((o) => o.overlays.includes(dir))
      .flatMap((o) => o.extraFiles.flatMap((f) => f.objects))
      .map((o) => ({ group: apiGroupOfVersion(o.apiVersion), kind: o.kind, name: `${o.name}${suffix}` }))
      .filter((r) => CLUSTER_SCOPED_KINDS.has(`${r.group}/${r.kind}`));
  });
}

const refKey = (r: ClusterResourceRef) => `${r.group}\u0000${r.kind}\u0000${r.name}`;

/** What the deployments of one project create cluster-wide, each once, sorted by group, kind, name. */
export function clusterResourcesOf(deployments: Deployment[], overrides: OverrideModel[]): ClusterResourceRef[] {
  const refs = new Map<string, ClusterResourceRef>();
  for (const d of deployments)
    for (const r of [namespace(d.namespace), ...renderedBy(d), ...extrasOf(d, overrides)]) refs.set(refKey(r), r);
  return [...refs.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
}

export function projectModels(input: {
  repoURL: string;
  environments: EnvironmentModel[];
  serverOf: (cluster: string) => string;
  monitoringServer: string;
  deployments: Deployment[];
  overrides: OverrideModel[];
}): ProjectModel[] {
  const { deployments, overrides } = input;
  // Grouped once: a fleet has an environment project per environment and thousands of deployments.
  const byProject = new Map<string, Deployment[]>();
  for (const d of deployments) {
    const own = byProject.get(d.project);
    if (own) own.push(d);
    else byProject.set(d.project, [d]);
  }
  const inProject = (name: string) => byProject.get(name) ?? [];
  const environments = input.environments.map((env) => ({
    name: env.project,
    description: `Alloy agents and apps of environment ${env.name}`,
    sourceRepos: [input.repoURL],
    destinations: env.memberClusters.flatMap((cluster) =>
      [NAMESPACES.agents, NAMESPACES.apps].map((namespace) => ({ server: input.serverOf(cluster), namespace })),
    ),
    clusterResources: clusterResourcesOf(inProject(env.project), overrides),
  }));
  const platform = {
    name: PLATFORM_PROJECT,
    description: 'Backends, Grafana, alert rules and the PrometheusRule CRD in the monitoring cluster',
    sourceRepos: [input.repoURL, CRD_REPO_URL],
    destinations: [{ server: input.monitoringServer, namespace: NAMESPACES.monitoring }],
    clusterResources: clusterResourcesOf(inProject(PLATFORM_PROJECT), overrides),
  };
  return [...environments, platform];
}

/** Cluster-scoped objects of the Applications whose source is outside the tree (verify cannot build them). */
export function upstreamClusterResources(
  deployments: Deployment[],
): { project: string; objects: ClusterResourceRef[] }[] {
  return deployments
    .filter((d) => d.sources.length === 0)
    .map((d) => ({ project: d.project, objects: [namespace(d.namespace), ...renderedBy(d)] }));
}
