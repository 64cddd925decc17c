// App names become component directories next to fabric's own.
import { defineCheck } from '../check.ts';
import { RESERVED_APP_NAMES } from '../constants.ts';

export default defineCheck({
  name: 'reserved-app-names',
  codes: ['FAB218'],
  run({ apps, report }) {
    for (const [app] of apps)
      if (RESERVED_APP_NAMES.includes(app))
        report(
          'FAB218',
          ['apps', app],
          `app name '${app}' is reserved: fabric generates a component of that name`,
          `rename the app (reserved: ${RESERVED_APP_NAMES.join(', ')})`,
          { key: true },
        );
  },
});
