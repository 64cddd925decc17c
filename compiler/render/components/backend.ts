// What Mimir, Loki and Tempo share: a StatefulSet and Services in the
// monitoring cluster (templates/monitoring/backend/), one overlay per backend
// set with its config files, NodePort and storage. Each backend's own file
// (mimir.ts, loki.ts, tempo.ts) says what differs.
import { NAMESPACES, URL_PATHS, type BackendSet, type Model } from '../../model/index.ts';
import { backendNameSuffix, type BackendComponent as Name } from '../../model/deployments.ts';
import { components, type RenderContext } from './context.ts';

export interface BackendComponent {
  component: Name;
  image: string;
  args: string[];
  ports: { name: string; port: number }[];
  externalPort: { name: string; port: number };
  httpPort: number;
  configDir: string;
  dataDir: string;
  memoryLimit: string;
  nodePort: (set: BackendSet) => number;
  storage: (set: BackendSet) => string;
  /** The overlay's config files (templates under templates/monitoring/<component>/overlays/). */
  configs: (set: BackendSet, model: Model) => ({ file: string; ctx: object } | { file: string; data: unknown })[];
  /** JSON patch operations on the set's StatefulSet beyond its storage size. */
  statefulSetPatch?: (set: BackendSet) => object[];
}

export function renderBackend({ tree, model }: RenderContext, spec: BackendComponent) {
  const { component } = spec;
  const base = components(`monitoring/${component}/base`);
  const configMap = `${component}-config`;
  const externalService = `${component}-external`;
  tree.yaml(`${base}/kustomization.yaml`, 'monitoring/backend/base/kustomization.yaml.hbs', {
    ns: NAMESPACES.monitoring,
    component,
  });
  tree.yaml(`${base}/statefulset.yaml`, 'monitoring/backend/base/statefulset.yaml.hbs', {
    ...spec,
    readyPath: URL_PATHS.ready,
    configMap,
  });
  tree.yaml(`${base}/service.yaml`, 'monitoring/backend/base/service.yaml.hbs', { ...spec, externalService });
  for (const set of model.backendSets) {
    const dir = components(`monitoring/${component}/overlays/${set.key}`);
    const configs = spec.configs(set, model);
    tree.yaml(`${dir}/kustomization.yaml`, 'monitoring/backend/overlays/kustomization.yaml.hbs', {
      component,
      externalService,
      set,
      suffix: backendNameSuffix(set.key),
      instance: `${component}-${set.key}`,
      configMap,
      configFiles: configs.map((c) => c.file),
      servicePatch: JSON.stringify([{ op: 'add', path: '/spec/ports/0/nodePort', value: spec.nodePort(set) }]),
      storagePatch: JSON.stringify([
        {
          op: 'replace',
          path: '/spec/volumeClaimTemplates/0/spec/resources/requests/storage',
          value: spec.storage(set),
        },
        ...(spec.statefulSetPatch?.(set) ?? []),
      ]),
    });
    // Most sets' configs are alike (the retention and tenants of a fleet's environments seldom differ).
    for (const c of configs)
      if ('data' in c) tree.sharedData(`${dir}/${c.file}`, c.data);
      else tree.sharedYaml(`${dir}/${c.file}`, `monitoring/${component}/overlays/${c.file}.hbs`, c.ctx);
  }
}
