// Grafana in the monitoring cluster: datasources per environment (content/grafana.ts), the fleet dashboard
// and, when the spec has apps, their RED dashboard (content/dashboards.ts).
import { IMAGES, NAMESPACES } from '../../model/index.ts';
import { datasources } from '../content/grafana.ts';
import { fleetDashboard, redDashboard } from '../content/dashboards.ts';
import { components, type RenderContext } from './context.ts';

export function renderGrafana({ tree, model }: RenderContext) {
  const base = components('monitoring/grafana/base');
  tree.yaml(`${base}/kustomization.yaml`, 'monitoring/grafana/base/kustomization.yaml.hbs', {
    ns: NAMESPACES.monitoring,
  });
  tree.yaml(`${base}/deployment.yaml`, 'monitoring/grafana/base/deployment.yaml.hbs', {
    image: IMAGES.grafana,
    adminSecret: model.grafana.adminSecret,
    host: model.grafana.host,
  });
  tree.yaml(`${base}/service.yaml`, 'monitoring/grafana/base/service.yaml.hbs', {});
  tree.yaml(`${base}/dashboards.yaml`, 'monitoring/grafana/base/dashboards.yaml.hbs', {});
  const overlay = components(`monitoring/grafana/overlays/${model.monitoring.name}`);
  const red = redDashboard(model);
  const dashboards = [
    { file: 'fleet.json', json: fleetDashboard(model) },
    ...(red ? [{ file: 'red.json', json: red }] : []),
  ];
  tree.yaml(`${overlay}/kustomization.yaml`, 'monitoring/grafana/overlays/kustomization.yaml.hbs', {
    dashboardFiles: dashboards.map((d) => d.file),
    servicePatch: JSON.stringify([{ op: 'add', path: '/spec/ports/0/nodePort', value: model.grafana.nodePort }]),
  });
  tree.yaml(`${overlay}/ingress.yaml`, 'monitoring/grafana/overlays/ingress.yaml.hbs', { host: model.grafana.host });
  tree.data(`${overlay}/datasources.yaml`, datasources(model));
  for (const d of dashboards) tree.text(`${overlay}/${d.file}`, JSON.stringify(d.json, null, 2) + '\n');
}
