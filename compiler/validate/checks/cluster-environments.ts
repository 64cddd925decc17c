// Member clusters run one defined environment; control and monitoring clusters none.
import { defineCheck } from '../check.ts';

export default defineCheck({
  name: 'cluster-environments',
  codes: ['FAB201', 'FAB210'],
  run({ clusters, envNames, report, unknownEnvironment }) {
    for (const [name, c] of clusters) {
      if (c.role !== 'member') {
        if (c.environment !== undefined)
          report(
            'FAB210',
            ['clusters', name, 'environment'],
            `a ${c.role} cluster has no environment; only member clusters do`,
            'remove environment: from this cluster',
          );
      } else if (c.environment === undefined)
        report(
          'FAB210',
          ['clusters', name],
          `member cluster '${name}' has no environment`,
          `add 'environment:' with one of: ${envNames.join(', ')}`,
          { key: true },
        );
      else if (!envNames.includes(c.environment)) {
        const { hint, related } = unknownEnvironment(c.environment);
        report(
          'FAB201',
          ['clusters', name, 'environment'],
          `cluster '${name}' names environment '${c.environment}', which is not defined`,
          hint,
          { related },
        );
      }
    }
  },
});
