// NodePorts are unique per cluster: the monitoring cluster carries every
// backend, Grafana and the ingest gateway, each member cluster its environment's apps. Grafana
// always runs, so its default is claimed too, and first.
import type { PathSegment } from '../../load.ts';
import { defineCheck } from '../check.ts';
import { fabricSchema } from '../schema.ts';

const ingestNodePortDefault = fabricSchema.$defs.cluster.properties.ingest.properties.nodePort.default;

export default defineCheck({
  name: 'node-ports',
  codes: ['FAB205'],
  run({ spec, envNames, apps, tenancy, report, grafanaDefaults, firstUse, firstUseRelated }) {
    const claim = (ports: Map<number, PathSegment[]>, port: number, path: PathSegment[], where: string) => {
      const first = ports.get(port);
      if (!first) ports.set(port, path);
      else
        report(
          'FAB205',
          path,
          `NodePort ${port} is already used in ${where} by ${firstUse(first)}`,
          'give every Service in a cluster its own NodePort (30000-32767)',
          { related: firstUseRelated(first) },
        );
    };
    const monitoring = new Map<number, PathSegment[]>();
    const grafanaPort = spec.grafana?.nodePort ?? grafanaDefaults.nodePort.default;
    claim(monitoring, grafanaPort, ['grafana', 'nodePort'], 'the monitoring cluster');
    // The ingest gateway always runs there too (its NodePort serves minikube members).
    const mon = Object.entries(spec.clusters).find(([, c]) => c.role === 'monitoring')?.[0];
    if (mon)
      claim(
        monitoring,
        spec.clusters[mon].ingest?.nodePort ?? ingestNodePortDefault,
        ['clusters', mon, 'ingest', 'nodePort'],
        'the monitoring cluster',
      );
    const owners: [PathSegment[], Record<string, number>][] =
      tenancy === 'shared'
        ? spec.backends?.ports
          ? [[['backends', 'ports'], spec.backends.ports as unknown as Record<string, number>]]
          : []
        : envNames
            .filter((e) => spec.environments[e].ports)
            .map((e) => [
              ['environments', e, 'ports'],
              spec.environments[e].ports as unknown as Record<string, number>,
            ]);
    for (const [base, ports] of owners)
      for (const [k, port] of Object.entries(ports)) claim(monitoring, port, [...base, k], 'the monitoring cluster');

    for (const env of envNames) {
      const member = new Map<number, PathSegment[]>();
      for (const [app, a] of apps)
        if (a.nodePort !== undefined && (a.environments ?? envNames).includes(env))
          claim(member, a.nodePort, ['apps', app, 'nodePort'], `environment '${env}'`);
    }
  },
});
