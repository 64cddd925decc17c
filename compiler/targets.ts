// The deployable directories of the tree (what ArgoCD syncs) and the cluster
// each lands in: the model's deployments, plus gitops/argocd-apps, which the
// runner applies to the control cluster itself.
import { deployTargets, type Model } from './model/index.ts';

export interface DeployTarget {
  path: string;
  cluster: string;
}

export function verifyTargets(model: Model): DeployTarget[] {
  return deployTargets(model.deployments, model.control.name);
}
