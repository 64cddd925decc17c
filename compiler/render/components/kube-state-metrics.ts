// kube-state-metrics on every member cluster (pod restarts for the alerts), scraped by Alloy.
import { CLUSTER_ROLES, IMAGES, NAMESPACES } from '../../model/index.ts';
import { components, type RenderContext } from './context.ts';

export function renderKubeStateMetrics({ tree, members, envOf }: RenderContext) {
  const ns = NAMESPACES.agents;
  const base = components('kube-state-metrics/base');
  tree.yaml(`${base}/kustomization.yaml`, 'kube-state-metrics/base/kustomization.yaml.hbs', { ns });
  tree.yaml(`${base}/rbac.yaml`, 'kube-state-metrics/base/rbac.yaml.hbs', {
    ns,
    clusterRole: CLUSTER_ROLES['kube-state-metrics'],
  });
  tree.yaml(`${base}/deployment.yaml`, 'kube-state-metrics/base/deployment.yaml.hbs', {
    image: IMAGES.kubeStateMetrics,
  });
  tree.yaml(`${base}/service.yaml`, 'kube-state-metrics/base/service.yaml.hbs', {});
  for (const cluster of members)
    tree.yaml(
      components(`kube-state-metrics/overlays/${cluster.name}/kustomization.yaml`),
      'kube-state-metrics/overlays/kustomization.yaml.hbs',
      { cluster, env: envOf(cluster) },
    );
}
