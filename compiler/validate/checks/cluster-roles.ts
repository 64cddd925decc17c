// Exactly one control cluster (ArgoCD) and one monitoring cluster (the backends).
import { defineCheck } from '../check.ts';

export default defineCheck({
  name: 'cluster-roles',
  codes: ['FAB202', 'FAB203'],
  run({ clusters, report }) {
    for (const role of ['control', 'monitoring'] as const) {
      const code = role === 'control' ? 'FAB202' : 'FAB203';
      const holders = clusters.filter(([, c]) => c.role === role);
      if (holders.length === 0)
        report(
          code,
          ['clusters'],
          `there is no cluster with role ${role}`,
          role === 'control'
            ? 'add a cluster with role: control; it runs ArgoCD'
            : 'add a cluster with role: monitoring; it runs Mimir, Loki, Tempo and Grafana',
          { key: true },
        );
      for (const [name] of holders.slice(1))
        report(
          code,
          ['clusters', name, 'role'],
          `cluster '${name}' is a second ${role} cluster; there must be exactly one`,
          `change its role (member clusters need an environment), or remove it`,
          { related: { path: ['clusters', holders[0][0], 'role'], message: `the first ${role} cluster` } },
        );
    }
  },
});
