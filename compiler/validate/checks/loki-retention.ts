// Loki keeps data per 24h index period; retention must be whole days.
import { durationSeconds, MAX_DURATION_SECONDS } from '../../units.ts';
import { defineCheck } from '../check.ts';

export default defineCheck({
  name: 'loki-retention',
  codes: ['FAB217'],
  run({ spec, report }) {
    for (const [env, e] of Object.entries(spec.environments)) {
      const logs = e.retention?.logs;
      // A duration too long to hold is FAB220's.
      if (logs === undefined || durationSeconds(logs) > MAX_DURATION_SECONDS || durationSeconds(logs) % 86400 === 0)
        continue;
      report(
        'FAB217',
        ['environments', env, 'retention', 'logs'],
        `Loki retention ${logs} is not a whole number of days`,
        'Loki deletes logs per 24h index period; use a multiple of 24h such as 7d',
      );
    }
  },
});
