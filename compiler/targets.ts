// The deployable directories of the tree (what ArgoCD syncs) and the cluster
// each lands in: the model's deployments, plus gitops/argocd-apps, which the
// runner applies to the control cluster itself.
import { deployTargets, type Model } from './model/index.ts';
import { upstreamClusterResources } from './model/projects.ts';

export interface DeployTarget {
  path: string;
  cluster: string;
  project?: string;
  namespace?: string;
}

export function verifyTargets(model: Model): DeployTarget[] {
  return deployTargets(model.deployments, model.control.name);
}

/** What verify needs beside the targets: the cluster-scoped objects of sources outside the tree. */
export function verifyOptions(model: Model) {
  return { upstream: upstreamClusterResources(model.deployments) };
}
