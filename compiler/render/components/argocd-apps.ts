// gitops/argocd-apps: the AppProjects, and the ApplicationSets and
// Application that create every Application of model.deployments.
import {
  ARGOCD_DEFAULT_PROJECT,
  CRD_REPO_URL,
  NAMESPACES,
  PROMETHEUS_RULE_CRD,
  prometheusRuleCrdFile,
  VERSIONS,
  type Deployment,
  type Generator,
  type Model,
} from '../../model/index.ts';
import { BACKEND_COMPONENTS } from '../../model/deployments.ts';
import type { RenderContext } from './context.ts';

const isBackend = (component: string) => (BACKEND_COMPONENTS as readonly string[]).includes(component);

const APPS = 'gitops/argocd-apps';

/** A tree directory as ArgoCD sees it in the repository (under git.path). */
const repoPath = (model: Model, dir: string) => (model.git.path ? `${model.git.path}/${dir}` : dir);

export function renderArgocdApps(ctx: RenderContext) {
  const { tree, model } = ctx;
  const argo = {
    ns: NAMESPACES.argocd,
    fleet: model.name,
    repoURL: model.git.repoURL,
    revision: model.git.revision,
    crdRepoURL: CRD_REPO_URL,
    crdRevision: VERSIONS.prometheusOperator,
  };
  const of = (g: Generator) => model.deployments.filter((d) => d.generator === g);
  const appGenerators = memberGenerators(of('instrumented-apps'));
  tree.yaml(`${APPS}/kustomization.yaml`, 'argocd-apps/kustomization.yaml.hbs', {
    ...argo,
    hasApps: appGenerators.length > 0,
  });
  renderProjects(ctx, argo);
  tree.yaml(`${APPS}/operators.yaml`, 'argocd-apps/operators.yaml.hbs', {
    ...argo,
    crdDir: PROMETHEUS_RULE_CRD.dir,
    crdFile: prometheusRuleCrdFile,
    monitoringNamespace: NAMESPACES.monitoring,
  });
  tree.yaml(`${APPS}/monitoring-stack.yaml`, 'argocd-apps/monitoring-stack.yaml.hbs', {
    ...argo,
    ns: NAMESPACES.monitoring,
    // Backends first, then the cluster-wide components (the order the elements have always had).
    components: [
      ...of('monitoring-stack').filter((d) => isBackend(d.component)),
      ...of('monitoring-stack').filter((d) => !isBackend(d.component)),
    ].map((d) => ({ app: d.application, path: repoPath(model, d.sources[0]) })),
  });
  // The goTemplate part is a literal ArgoCD expands; the prefix comes from the spec.
  const appPath = repoPath(model, 'gitops/components/{{.values.component}}/overlays/{{.name}}');
  const memberAppSet = (name: string, ns: string, generators: object[]) =>
    tree.yaml(`${APPS}/${name}.yaml`, 'argocd-apps/member-appset.yaml.hbs', { ...argo, ns, name, appPath, generators });
  memberAppSet('alloy-agents', NAMESPACES.agents, memberGenerators(of('alloy-agents')));
  // A fleet without apps has no instrumented-apps ApplicationSet (one with no generator is invalid).
  if (appGenerators.length) memberAppSet('instrumented-apps', NAMESPACES.apps, appGenerators);
  tree.yaml(`${APPS}/alerting-rules.yaml`, 'argocd-apps/alerting-rules.yaml.hbs', {
    ...argo,
    ns: NAMESPACES.monitoring,
    server: model.monitoring.server,
    sources: of('alerting-rules').flatMap((d) => d.sources.map((dir) => repoPath(model, dir))),
  });
}

/** One cluster generator per (environment, component), in the order of the environments. */
function memberGenerators(deployments: Deployment[]) {
  const seen = new Map<string, { environment: string; project: string; component: string }>();
  for (const d of deployments) {
    const key = `${d.environment}\u0000${d.component}`;
    if (!seen.has(key)) seen.set(key, { environment: d.environment!, project: d.project, component: d.component });
  }
  return [...seen.values()].sort((a, b) =>
    a.environment < b.environment ? -1 : a.environment > b.environment ? 1 : 0,
  );
}

function renderProjects({ tree, model }: RenderContext, argo: object) {
  tree.yaml(`${APPS}/projects.yaml`, 'argocd-apps/projects.yaml.hbs', {
    ...argo,
    projects: model.projects,
    defaultProject: ARGOCD_DEFAULT_PROJECT,
  });
}
