// The deployable directories of the tree (what ArgoCD syncs) and the cluster
// each lands in, derived from the model the same way the ApplicationSets are.
import type { Model } from './model.ts';

export interface DeployTarget {
  path: string;
  cluster: string;
}

export function verifyTargets(model: Model): DeployTarget[] {
  const out: DeployTarget[] = [{ path: 'gitops/argocd-apps', cluster: model.control.name }];
  const mon = model.monitoring.name;
  for (const component of ['mimir', 'loki', 'tempo'])
    for (const set of model.backendSets)
      out.push({ path: `gitops/components/monitoring/${component}/overlays/${set.key}`, cluster: mon });
  out.push({ path: `gitops/components/namespaces/overlays/${mon}`, cluster: mon });
  out.push({ path: `gitops/components/monitoring/grafana/overlays/${mon}`, cluster: mon });
  out.push({ path: `gitops/components/monitoring/rules-sync/overlays/${mon}`, cluster: mon });
  for (const env of model.environments)
    out.push({ path: `gitops/components/alerting-rules/overlays/${env.name}`, cluster: mon });
  for (const c of model.clusters.filter((c) => c.role === 'member')) {
    out.push({ path: `gitops/components/namespaces/overlays/${c.name}`, cluster: c.name });
    out.push({ path: `gitops/components/alloy-agent/overlays/${c.name}`, cluster: c.name });
    out.push({ path: `gitops/components/kube-state-metrics/overlays/${c.name}`, cluster: c.name });
    for (const app of model.apps.filter((a) => a.environments.includes(c.environment!)))
      out.push({ path: `gitops/components/${app.name}/overlays/${c.name}`, cluster: c.name });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}
