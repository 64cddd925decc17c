// Every Ingress has its own host: Grafana's (its default too) and each app's.
import type { PathSegment } from '../../load.ts';
import { defineCheck } from '../check.ts';

export default defineCheck({
  name: 'ingress-hosts',
  codes: ['FAB206'],
  run({ spec, apps, report, grafanaDefaults, firstUse, firstUseRelated }) {
    const hosts = new Map<string, PathSegment[]>();
    const claim = (host: string, path: PathSegment[]) => {
      const first = hosts.get(host);
      if (!first) hosts.set(host, path);
      else
        report(
          'FAB206',
          path,
          `host ${host} is already used by ${firstUse(first)}`,
          'give every Ingress its own host',
          {
            related: firstUseRelated(first),
          },
        );
    };
    claim(spec.grafana?.host ?? grafanaDefaults.host.default, ['grafana', 'host']);
    for (const [app, a] of apps)
      for (const [env, host] of Object.entries(a.hosts ?? {})) claim(host, ['apps', app, 'hosts', env]);
  },
});
