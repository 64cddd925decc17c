// rules-sync: Alloy in the monitoring cluster loading each environment's
// PrometheusRules (alerting-rules) into that environment's Mimir ruler.
import { CLUSTER_ROLES, IMAGES, NAMESPACES } from '../../model/index.ts';
import { components, type RenderContext } from './context.ts';

export function renderRulesSync({ tree, model }: RenderContext) {
  const ns = NAMESPACES.monitoring;
  const base = components('monitoring/rules-sync/base');
  tree.yaml(`${base}/kustomization.yaml`, 'monitoring/rules-sync/base/kustomization.yaml.hbs', { ns });
  tree.yaml(`${base}/rbac.yaml`, 'monitoring/rules-sync/base/rbac.yaml.hbs', {
    ns,
    clusterRole: CLUSTER_ROLES['rules-sync'],
  });
  tree.yaml(`${base}/deployment.yaml`, 'monitoring/rules-sync/base/deployment.yaml.hbs', { image: IMAGES.alloy });
  const overlay = components(`monitoring/rules-sync/overlays/${model.monitoring.name}`);
  tree.yaml(`${overlay}/kustomization.yaml`, 'monitoring/rules-sync/overlays/kustomization.yaml.hbs', {});
  tree.alloy(`${overlay}/config.alloy`, 'monitoring/rules-sync/overlays/config.alloy.hbs', {
    // Object.assign, not `{ ...env, rulePrefix }`: V8 (Node 20) builds a spread-first object through a slow path.
    environments: model.environments.map((env) => Object.assign({}, env, { rulePrefix: `fabric-${env.name}` })),
  });
}
