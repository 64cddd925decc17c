// Mimir: metrics, the ruler (rules from rules-sync) and the Alertmanager.
import { ALERTMANAGER_SECRETS_DIR, IMAGES, PORTS, type BackendSet } from '../../model/index.ts';
import { renderBackend, type BackendComponent } from './backend.ts';
import type { RenderContext } from './context.ts';

export const mimir: BackendComponent = {
  component: 'mimir',
  image: IMAGES.mimir,
  args: ['-config.file=/etc/mimir/mimir.yaml'],
  ports: [
    { name: 'http', port: PORTS.mimirHttp },
    { name: 'grpc', port: PORTS.mimirGrpc },
  ],
  externalPort: { name: 'http', port: PORTS.mimirHttp },
  httpPort: PORTS.mimirHttp,
  configDir: '/etc/mimir',
  dataDir: '/data',
  memoryLimit: '2Gi',
  nodePort: (s) => s.mimir.nodePort,
  storage: (s) => s.storage.metrics,
  configs: (set, model) => [
    { file: 'mimir.yaml', ctx: { multitenancy: model.tenancy === 'shared', retention: set.retention } },
    { file: 'runtime.yaml', ctx: { tenants: set.tenants } },
    // Read once at start: the configMapGenerator's hash suffix rolls Mimir when it changes.
    { file: 'alertmanager-fallback.yaml', data: set.alertmanager.config },
  ],
  statefulSetPatch: secretVolumes,
};

/**
 * One Secret volume per Secret the receivers read, at <dir>/<secret>/. optional:
 * Mimir (metrics, ruler) starts before the Secret exists; the notifier reads the
 * file on every notification. No subPath: subPath mounts never see updates.
 */
function secretVolumes(set: BackendSet): object[] {
  // Numbered names: Secret names (up to 253 characters, dots) do not all fit a volume name.
  return set.alertmanager.secrets.flatMap((secret, i) => {
    const name = `am-secret-${i}`;
    return [
      {
        op: 'add',
        path: '/spec/template/spec/volumes/-',
        value: { name, secret: { secretName: secret, optional: true } },
      },
      {
        op: 'add',
        path: '/spec/template/spec/containers/0/volumeMounts/-',
        value: { name, mountPath: `${ALERTMANAGER_SECRETS_DIR}/${secret}`, readOnly: true },
      },
    ];
  });
}

export const renderMimir = (ctx: RenderContext) => renderBackend(ctx, mimir);
