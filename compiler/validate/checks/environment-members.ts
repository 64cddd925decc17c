// Every environment needs a member cluster to run on.
import { defineCheck } from '../check.ts';

export default defineCheck({
  name: 'environment-members',
  codes: ['FAB204'],
  run({ clusters, envNames, report }) {
    for (const env of envNames)
      if (!clusters.some(([, c]) => c.role === 'member' && c.environment === env))
        report(
          'FAB204',
          ['environments', env],
          `environment '${env}' has no member cluster`,
          `add a cluster with role: member and environment: ${env}, or remove the environment`,
          { key: true },
        );
  },
});
