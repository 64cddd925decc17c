// Tempo: traces over OTLP, and span metrics / service graphs written to the same set's Mimir.
import { IMAGES, PORTS, VERSIONS } from '../../model/index.ts';
import { renderBackend, type BackendComponent } from './backend.ts';
import type { RenderContext } from './context.ts';

export const tempo: BackendComponent = {
  component: 'tempo',
  image: IMAGES.tempo,
  args: ['-target=all', '-config.file=/etc/tempo/tempo.yaml'],
  ports: [
    { name: 'otlp-grpc', port: PORTS.tempoOtlpGrpc },
    { name: 'http', port: PORTS.tempoHttp },
    { name: 'otlp-http', port: PORTS.tempoOtlpHttp },
    { name: 'grpc', port: PORTS.tempoGrpc },
  ],
  externalPort: { name: 'otlp-grpc', port: PORTS.tempoOtlpGrpc },
  httpPort: PORTS.tempoHttp,
  configDir: '/etc/tempo',
  dataDir: '/var/tempo',
  memoryLimit: '1Gi',
  nodePort: (s) => s.tempo.nodePort,
  storage: (s) => s.storage.traces,
  configs: (set, model) => [
    {
      file: 'tempo.yaml',
      ctx: {
        version: VERSIONS.tempo,
        multitenancy: model.tenancy === 'shared',
        retention: set.retention,
        env: model.tenancy === 'shared' ? undefined : set.key,
        mimirPushUrl: set.mimir.internalUrls.push,
      },
    },
    { file: 'overrides.yaml', ctx: { tenants: set.tenants } },
  ],
};

export const renderTempo = (ctx: RenderContext) => renderBackend(ctx, tempo);
