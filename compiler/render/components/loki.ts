// Loki: logs, OTLP and push API.
import { IMAGES, PORTS } from '../../model/index.ts';
import { renderBackend, type BackendComponent } from './backend.ts';
import type { RenderContext } from './context.ts';

export const loki: BackendComponent = {
  component: 'loki',
  image: IMAGES.loki,
  args: ['-config.file=/etc/loki/loki.yaml'],
  ports: [
    { name: 'http', port: PORTS.lokiHttp },
    { name: 'grpc', port: PORTS.lokiGrpc },
  ],
  externalPort: { name: 'http', port: PORTS.lokiHttp },
  httpPort: PORTS.lokiHttp,
  configDir: '/etc/loki',
  dataDir: '/loki',
  memoryLimit: '1Gi',
  nodePort: (s) => s.loki.nodePort,
  storage: (s) => s.storage.logs,
  configs: (set, model) => [
    { file: 'loki.yaml', ctx: { multitenancy: model.tenancy === 'shared', retention: set.retention } },
    { file: 'runtime.yaml', ctx: { tenants: set.tenants } },
  ],
};

export const renderLoki = (ctx: RenderContext) => renderBackend(ctx, loki);
