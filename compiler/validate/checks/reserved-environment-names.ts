// An environment's name is the uid of its Mimir datasource in Grafana, which the dashboards' environment
// variable carries; Grafana gives two uids a meaning of its own.
import { defineCheck } from '../check.ts';
import { RESERVED_ENVIRONMENT_NAMES } from '../constants.ts';

export default defineCheck({
  name: 'reserved-environment-names',
  codes: ['FAB280'],
  run({ envNames, report }) {
    for (const env of envNames)
      if (RESERVED_ENVIRONMENT_NAMES.includes(env))
        report(
          'FAB280',
          ['environments', env],
          `environment name '${env}' is reserved: it names the environment's Mimir datasource in Grafana, and Grafana reads the uid '${env}' as its own ${env === 'default' ? 'default datasource' : 'built-in datasource'}`,
          `rename the environment (reserved: ${RESERVED_ENVIRONMENT_NAMES.join(', ')}), and the environment: of its clusters`,
          { key: true },
        );
  },
});
