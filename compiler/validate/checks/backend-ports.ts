// Backend NodePorts follow the tenancy mode: per environment when isolated,
// one set under backends when shared.
import { defineCheck } from '../check.ts';

export default defineCheck({
  name: 'backend-ports',
  codes: ['FAB213'],
  run({ spec, envNames, tenancy, report }) {
    if (tenancy === 'isolated') {
      if (spec.backends?.ports)
        report(
          'FAB213',
          ['backends', 'ports'],
          'backends.ports applies only to tenancy shared',
          'move the ports to environments.<env>.ports, or set tenancy: shared',
          { key: true },
        );
      for (const env of envNames)
        if (!spec.environments[env].ports)
          report(
            'FAB213',
            ['environments', env],
            `environment '${env}' has no ports; with tenancy isolated each environment has its own backends`,
            "add 'ports: { mimir: 3009x, loki: 3010x, tempo: 3020x }'",
            { key: true },
          );
      return;
    }
    if (!spec.backends?.ports)
      report(
        'FAB213',
        ['backends'],
        'tenancy shared needs backends.ports for the one Mimir, Loki and Tempo',
        "add 'ports: { mimir: 30090, loki: 30100, tempo: 30200 }' under backends",
        { key: true },
      );
    for (const env of envNames)
      if (spec.environments[env].ports)
        report(
          'FAB213',
          ['environments', env, 'ports'],
          `environments.${env}.ports applies only to tenancy isolated; with tenancy shared all environments use backends.ports`,
          'remove it',
          { key: true },
        );
  },
});
