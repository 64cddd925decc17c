// Namespaces with default-deny NetworkPolicies and the flows the pipeline
// needs: on each member cluster (agents, apps) and on the monitoring cluster.
import { INGEST, NAMESPACES } from '../../model/index.ts';
import { components, type RenderContext } from './context.ts';

export function renderNamespaces({ tree, model, members, envOf }: RenderContext) {
  const overlay = (cluster: string) => components(`namespaces/overlays/${cluster}`);
  for (const cluster of members) {
    const env = envOf(cluster);
    const dir = overlay(cluster.name);
    tree.yaml(`${dir}/kustomization.yaml`, 'namespaces/overlays/kustomization.yaml.hbs', { cluster: cluster.name });
    const appPorts = [...new Set(model.apps.filter((a) => env.apps.includes(a.name)).map((a) => a.port))].sort(
      (a, b) => a - b,
    );
    tree.sharedYaml(`${dir}/namespaces.yaml`, 'namespaces/overlays/namespaces.member.yaml.hbs', {
      agents: NAMESPACES.agents,
      apps: NAMESPACES.apps,
      appPorts,
    });
  }
  const mon = overlay(model.monitoring.name);
  tree.yaml(`${mon}/kustomization.yaml`, 'namespaces/overlays/kustomization.yaml.hbs', {
    cluster: model.monitoring.name,
  });
  tree.yaml(`${mon}/namespaces.yaml`, 'namespaces/overlays/namespaces.monitoring.yaml.hbs', {
    ns: NAMESPACES.monitoring,
    gateway: INGEST.gateway,
    sources: model.ingest.sources,
    tls: Boolean(model.ingest.tlsSecret),
  });
}
