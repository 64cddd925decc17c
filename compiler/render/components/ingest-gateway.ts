// The ingest gateway in the monitoring cluster: nginx with one basic-auth user
// per environment, routing each user to its environment's backends and tenant
// (templates/monitoring/ingest-gateway/). Its Secrets come from `fabric apply`
// (runner/ingest-credentials.ts), never from the tree.
import { IMAGES, INGEST, NAMESPACES, PORTS } from '../../model/index.ts';
import { components, type RenderContext } from './context.ts';

export function renderIngestGateway({ tree, model }: RenderContext) {
  const { ingest } = model;
  const name = INGEST.gateway;
  const configMap = `${name}-config`;
  const base = components(`monitoring/${name}/base`);
  tree.yaml(`${base}/kustomization.yaml`, 'monitoring/ingest-gateway/base/kustomization.yaml.hbs', {
    ns: NAMESPACES.monitoring,
    name,
  });
  tree.yaml(`${base}/deployment.yaml`, 'monitoring/ingest-gateway/base/deployment.yaml.hbs', {
    name,
    image: IMAGES.ingestGateway,
    configMap,
    htpasswdSecret: INGEST.htpasswdSecret,
    tlsSecret: ingest.tlsSecret,
  });
  // The public Service exists only for an ingest.url; it serves TLS when the gateway holds the certificate,
  // else plain HTTP for a TLS-terminating load balancer or Ingress in front of it.
  const publicService = ingest.url
    ? {
        name: `${name}-public`,
        portName: ingest.tlsSecret ? 'https' : 'http',
        port: ingest.tlsSecret ? PORTS.ingestPublic : PORTS.ingestHttp,
      }
    : undefined;
  tree.yaml(`${base}/service.yaml`, 'monitoring/ingest-gateway/base/service.yaml.hbs', {
    name,
    public: publicService,
  });
  const overlay = components(`monitoring/${name}/overlays/${model.monitoring.name}`);
  tree.yaml(`${overlay}/kustomization.yaml`, 'monitoring/ingest-gateway/overlays/kustomization.yaml.hbs', {
    name,
    configMap,
    servicePatch: JSON.stringify([{ op: 'add', path: '/spec/ports/0/nodePort', value: ingest.nodePort }]),
  });
  tree.conf(`${overlay}/nginx.conf`, 'monitoring/ingest-gateway/overlays/nginx.conf.hbs', {
    users: ingest.users,
    tlsSecret: ingest.tlsSecret,
    htpasswdKey: INGEST.htpasswdKey,
    sets: model.backendSets.map((set) => ({
      key: set.key,
      mimir: hostPort(set.mimir.internal),
      loki: hostPort(set.loki.internal),
      tempo: hostPort(set.tempo.otlpHttp),
    })),
  });
}

const hostPort = (url: string) => new URL(url).host;
