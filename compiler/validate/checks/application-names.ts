// ArgoCD Application names share one namespace. The ApplicationSets name them
// as templates/argocd/*.hbs do: <component>-<cluster> on members,
// <backend>-<environment or shared> and fixed names in the monitoring cluster.
import type { PathSegment } from '../../load.ts';
import { defineCheck } from '../check.ts';
import { RESERVED_APP_NAMES } from '../constants.ts';

export default defineCheck({
  name: 'application-names',
  codes: ['FAB221'],
  run({ clusters, envNames, apps, tenancy, report }) {
    const applications = new Map<string, { what: string; path?: PathSegment[] }>();
    const claim = (name: string, what: string, path?: PathSegment[]) => {
      const first = applications.get(name);
      if (!first) applications.set(name, { what, path });
      else if (path)
        report(
          'FAB221',
          path,
          `ArgoCD Application '${name}' would be generated twice: for ${what}, and for ${first.what}`,
          'rename the app, cluster or environment: ArgoCD names Applications <component>-<cluster> in one namespace',
          { key: true, related: first.path ? { path: first.path, message: first.what, key: true } : undefined },
        );
    };
    for (const fixed of ['alerting-rules', 'monitoring-namespace', 'grafana', 'rules-sync'])
      claim(fixed, `fabric's ${fixed}`);
    for (const [name] of clusters.filter(([, c]) => c.role === 'monitoring'))
      claim(`prometheus-operator-crds-${name}`, `the PrometheusRule CRD of '${name}'`, ['clusters', name]);
    for (const backend of ['mimir', 'loki', 'tempo']) {
      if (tenancy === 'shared') claim(`${backend}-shared`, `the shared ${backend}`);
      else
        for (const env of envNames)
          claim(`${backend}-${env}`, `${backend} of environment '${env}'`, ['environments', env]);
    }
    const members = clusters.filter(
      ([, c]) => c.role === 'member' && c.environment !== undefined && envNames.includes(c.environment),
    );
    for (const component of ['namespaces', 'alloy-agent', 'kube-state-metrics'])
      for (const [name] of members)
        claim(`${component}-${name}`, `${component} on cluster '${name}'`, ['clusters', name]);
    for (const [app, a] of apps.filter(([name]) => !RESERVED_APP_NAMES.includes(name)))
      for (const [name, c] of members)
        if ((a.environments ?? envNames).includes(c.environment!))
          claim(`${app}-${name}`, `app '${app}' on cluster '${name}'`, ['apps', app]);
  },
});
