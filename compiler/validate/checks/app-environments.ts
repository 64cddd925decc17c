// An app runs in defined environments, and has hosts only where it runs.
import { defineCheck } from '../check.ts';

export default defineCheck({
  name: 'app-environments',
  codes: ['FAB201', 'FAB219'],
  run({ apps, envNames, report, unknownEnvironment }) {
    for (const [app, a] of apps) {
      (a.environments ?? []).forEach((env, i) => {
        if (envNames.includes(env)) return;
        const { hint, related } = unknownEnvironment(env);
        report(
          'FAB201',
          ['apps', app, 'environments', i],
          `app '${app}' names environment '${env}', which is not defined`,
          hint,
          { related },
        );
      });
      const runsIn = a.environments ?? envNames;
      for (const env of Object.keys(a.hosts ?? {})) {
        if (!envNames.includes(env)) {
          const { hint, related } = unknownEnvironment(env);
          report(
            'FAB201',
            ['apps', app, 'hosts', env],
            `app '${app}' has a host for environment '${env}', which is not defined`,
            hint,
            { key: true, related },
          );
        } else if (!runsIn.includes(env))
          report(
            'FAB219',
            ['apps', app, 'hosts', env],
            `app '${app}' has a host for environment '${env}' but does not run there`,
            `add ${env} to apps.${app}.environments, or remove this host`,
            { key: true },
          );
      }
    }
  },
});
