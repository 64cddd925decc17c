// Every environment needs a member cluster to run on.
import { defineCheck } from '../check.ts';

export default defineCheck({
  name: 'environment-members',
  codes: ['FAB204'],
  run({ clusters, envNames, report }) {
    const served = new Set(clusters.filter(([, c]) => c.role === 'member').map(([, c]) => c.environment));
    for (const env of envNames)
      if (!served.has(env))
        report(
          'FAB204',
          ['environments', env],
          `environment '${env}' has no member cluster`,
          `add a cluster with role: member and environment: ${env}, or remove the environment`,
          { key: true },
        );
  },
});
