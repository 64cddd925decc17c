// Alloy on every member cluster: a DaemonSet receiving the apps' OTLP and
// reading pod logs, writing through the ingest gateway as its environment's
// user (config.alloy).
import { CLUSTER_ROLES, IMAGES, INGEST, NAMESPACES, URL_PATHS } from '../../model/index.ts';
import { components, type RenderContext } from './context.ts';

export function renderAlloyAgent({ tree, members, envOf }: RenderContext) {
  const ns = NAMESPACES.agents;
  const base = components('alloy-agent/base');
  tree.yaml(`${base}/kustomization.yaml`, 'alloy-agent/base/kustomization.yaml.hbs', { ns });
  tree.yaml(`${base}/rbac.yaml`, 'alloy-agent/base/rbac.yaml.hbs', { ns, clusterRole: CLUSTER_ROLES['alloy-agent'] });
  tree.yaml(`${base}/daemonset.yaml`, 'alloy-agent/base/daemonset.yaml.hbs', {
    image: IMAGES.alloy,
    credentialsSecret: INGEST.credentialsSecret,
    credentialsMount: INGEST.credentialsMount,
  });
  tree.yaml(`${base}/service.yaml`, 'alloy-agent/base/service.yaml.hbs', {});
  for (const cluster of members) {
    const env = envOf(cluster);
    const dir = components(`alloy-agent/overlays/${cluster.name}`);
    tree.yaml(`${dir}/kustomization.yaml`, 'alloy-agent/overlays/kustomization.yaml.hbs', { cluster, env });
    tree.alloy(`${dir}/config.alloy`, 'alloy-agent/overlays/config.alloy.hbs', {
      cluster,
      env,
      setEnv: `set(attributes["deployment.environment.name"], ${JSON.stringify(env.name)})`,
      setCluster: `set(attributes["k8s.cluster.name"], ${JSON.stringify(cluster.name)})`,
      mimirPushUrl: `${cluster.ingestUrl}${URL_PATHS.mimirPush}`,
      lokiPushUrl: `${cluster.ingestUrl}${URL_PATHS.lokiPush}`,
      otlpUrl: `${cluster.ingestUrl}${URL_PATHS.otlpBase}`,
      passwordFile: `${INGEST.credentialsMount}/${INGEST.passwordKey}`,
      appsNamespace: NAMESPACES.apps,
      agentsNamespace: ns,
    });
  }
}
