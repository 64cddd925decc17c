// The built-in alerts' durations and latency threshold within what can fire
// and be tested (ALERT_LIMITS, docs/alerting.md "Bounds"). The numeric
// thresholds are bounded by the schema (minimum/maximum).
import { ALERT_LIMITS, SEMCONV_LARGEST_BUCKET_SECONDS } from '../../model/constants.ts';
import type { PathSegment } from '../../load.ts';
import type { FabricYaml } from '../../spec-types.ts';
import { durationSeconds, MAX_DURATION_SECONDS, promDuration } from '../../units.ts';
import { defineCheck } from '../check.ts';
import { dotted } from '../schema.ts';

type Alerts = NonNullable<FabricYaml['alerts']>;

/** Each bounded duration: where it is, and its limits in seconds. */
const DURATIONS: { alert: keyof Alerts; key: string; min: number; max: number; why: string; whyNot: string }[] = [
  ...(['errorRate', 'latencyP95', 'lowRequestRate', 'serviceDown'] as const).map((alert) => ({
    alert,
    key: 'for',
    min: ALERT_LIMITS.forMinSeconds,
    max: ALERT_LIMITS.forMaxSeconds,
    why: `Mimir's ruler evaluates rules every ${promDuration(ALERT_LIMITS.evaluationIntervalSeconds)}, so a shorter 'for' cannot hold for what it says`,
    whyNot: 'its generated promtool test evaluates the rules every minute until the alert fires',
  })),
  {
    alert: 'podRestarts',
    key: 'window',
    min: ALERT_LIMITS.windowMinSeconds,
    max: ALERT_LIMITS.windowMaxSeconds,
    why: 'a shorter range holds fewer than two samples of a counter scraped every minute (ranges are left-open in Mimir 3), so increase() is never above 0',
    whyNot: 'the ruler would read that many raw samples of every pod every minute',
  },
];

/** Every place alerts are set: the top level and each environment. */
function alertBlocks(spec: FabricYaml): [PathSegment[], Alerts][] {
  return [
    ...(spec.alerts ? [[['alerts'], spec.alerts] as [PathSegment[], Alerts]] : []),
    ...Object.entries(spec.environments)
      .filter(([, e]) => e.alerts)
      .map(([name, e]): [PathSegment[], Alerts] => [['environments', name, 'alerts'], e.alerts!]),
  ];
}

export default defineCheck({
  name: 'alert-bounds',
  codes: ['FAB260', 'FAB261', 'FAB262'],
  run({ spec, report }) {
    for (const [base, alerts] of alertBlocks(spec)) {
      for (const { alert, key, min, max, why, whyNot } of DURATIONS) {
        const value = (alerts[alert] as Record<string, unknown> | undefined)?.[key];
        if (typeof value !== 'string') continue;
        const path = [...base, alert, key];
        const seconds = durationSeconds(value);
        if (seconds < min)
          report(
            'FAB260',
            path,
            `${dotted(path)} is ${value}, shorter than ${promDuration(min)}`,
            `${why}; use ${promDuration(min)} or more`,
          );
        // Beyond a Go duration, value-limits (FAB220) says so.
        else if (seconds > max && seconds <= MAX_DURATION_SECONDS)
          report(
            'FAB261',
            path,
            `${dotted(path)} is ${value}, longer than ${promDuration(max)}`,
            `use ${promDuration(max)} or less: ${whyNot}`,
          );
      }
      const latency = alerts.latencyP95?.threshold;
      if (typeof latency === 'string' && durationSeconds(latency) >= SEMCONV_LARGEST_BUCKET_SECONDS)
        report(
          'FAB262',
          [...base, 'latencyP95', 'threshold'],
          `${dotted([...base, 'latencyP95', 'threshold'])} is ${latency}, not below ${SEMCONV_LARGEST_BUCKET_SECONDS}s`,
          `OpenTelemetry SDKs bucket http.server.request.duration up to ${SEMCONV_LARGEST_BUCKET_SECONDS}s, so the p95 histogram_quantile computes is never above it and the alert never fires; use a threshold below ${SEMCONV_LARGEST_BUCKET_SECONDS}s`,
        );
    }
  },
});
