// The spec's apps: one component directory per app (gitops/components/<app>/),
// a base and one overlay per member cluster of the environments it runs in.
import {
  DEMO_IMAGE_REPOSITORY,
  isDemoImage,
  NAMESPACES,
  PORTS,
  registryImageName,
  type AppModel,
  type ClusterModel,
  type Model,
} from '../../model/index.ts';
import { components, type RenderContext } from './context.ts';

export function renderApps(ctx: RenderContext) {
  for (const app of ctx.model.apps) renderApp(ctx, app);
}

/**
 * An existing cluster's nodes cannot see an image built into minikube: with
 * platform.registry they pull the locally built image from there (fabric apply
 * builds and pushes it, runner/registry-image.ts). Validate (FAB255) refuses
 * the case without a registry.
 */
function registryImage(model: Model, cluster: ClusterModel, app: AppModel) {
  if (cluster.provider !== 'existing' || !model.platform.registry || !isDemoImage(app.image)) return undefined;
  return { name: DEMO_IMAGE_REPOSITORY, newName: registryImageName(model.platform.registry) };
}

function renderApp({ tree, model, members, envOf }: RenderContext, app: AppModel) {
  const base = components(`${app.name}/base`);
  tree.yaml(`${base}/kustomization.yaml`, 'app/base/kustomization.yaml.hbs', { ns: NAMESPACES.apps, app });
  tree.yaml(`${base}/deployment.yaml`, 'app/base/deployment.yaml.hbs', {
    app,
    portText: String(app.port),
    agentOtlpUrl: `http://alloy.${NAMESPACES.agents}.svc.cluster.local:${PORTS.alloyOtlpHttp}`,
  });
  tree.yaml(`${base}/service.yaml`, 'app/base/service.yaml.hbs', {
    app,
    serviceType: app.nodePort ? 'NodePort' : 'ClusterIP',
  });
  const runsIn = new Set(app.environments);
  for (const cluster of members.filter((c) => runsIn.has(c.environment!))) {
    const env = envOf(cluster);
    const host = app.hosts[env.name];
    const dir = components(`${app.name}/overlays/${cluster.name}`);
    // Appended, so it comes after POD_UID, which it references.
    const resourcePatch = JSON.stringify([
      {
        op: 'add',
        path: '/spec/template/spec/containers/0/env/-',
        value: {
          name: 'OTEL_RESOURCE_ATTRIBUTES',
          value: `deployment.environment.name=${env.name},k8s.cluster.name=${cluster.name},k8s.pod.uid=$(POD_UID)`,
        },
      },
    ]);
    tree.yaml(`${dir}/kustomization.yaml`, 'app/overlays/kustomization.yaml.hbs', {
      app,
      cluster,
      env,
      host,
      resourcePatch,
      registryImage: registryImage(model, cluster, app),
    });
    if (host) tree.yaml(`${dir}/ingress.yaml`, 'app/overlays/ingress.yaml.hbs', { app, host });
  }
}
