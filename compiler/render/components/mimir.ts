// Mimir: metrics, the ruler (rules from rules-sync) and the Alertmanager.
import { IMAGES, PORTS } from '../../model/index.ts';
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
    { file: 'alertmanager-fallback.yaml', ctx: {} },
  ],
};

export const renderMimir = (ctx: RenderContext) => renderBackend(ctx, mimir);
