// Custom alerting rules (alerts.custom): each rule, with its promtool tests, in
// the environments it names. Validated before (validate/checks/custom-rules.ts),
// so every expression parses, every environment exists and every test time
// lies within its series.
import type { FabricYaml } from '../spec-types.ts';
import { durationSeconds, promDuration } from '../units.ts';
import { LABELS } from './constants.ts';

/**
 * The alert names the built-in rules use (render/content/rules.ts); a custom
 * rule may not take one (FAB270). tests/custom-rules.test.ts holds this list
 * equal to what the built-in rules generate.
 */
export const BUILTIN_ALERT_NAMES = [
  'HighErrorRate',
  'HighLatencyP95',
  'LowRequestRate',
  'PodRestarting',
  'ServiceDown',
];

/** The label every alert carries for its severity; the Alertmanager routes and inhibition match on it. */
export const SEVERITY_LABEL = 'severity';

/** Labels a firing custom alert always carries from its rule and environment; a test may not expect others (FAB273). */
export const RULE_SET_LABELS = ['alertname', 'alertstate', SEVERITY_LABEL, LABELS.env];

export interface CustomRuleTest {
  /** Time between two input samples (a Prometheus duration). */
  interval: string;
  series: { series: string; values: string }[];
  /** When the expectation is checked, from the first sample. */
  at: string;
  /** true: the alert fires at `at`; false: it does not. */
  fires: boolean;
  /** With `fires`: the exact labels of the one firing alert, beyond alertname, severity and env. */
  labels?: Record<string, string>;
}

export interface CustomRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  tests: CustomRuleTest[];
}

type SpecRule = NonNullable<NonNullable<FabricYaml['alerts']>['custom']>[string];
type SpecTest = NonNullable<SpecRule['tests']>[number];

/** Prometheus reads each unit once, largest first: `1h30m` is written out as `90m` (as for the built-in alerts). */
const duration = (d: string) => promDuration(durationSeconds(d));

const sortedRecord = (r: Record<string, string>) =>
  Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

function testModel(t: SpecTest): CustomRuleTest {
  const fires = t.firesAt !== undefined;
  return {
    interval: duration(t.interval ?? '1m'),
    // Sorted: the output must not depend on the order of the spec's keys.
    series: Object.keys(t.series)
      .sort()
      .map((series) => ({ series, values: t.series[series] })),
    at: duration((t.firesAt ?? t.silentAt)!),
    fires,
    ...(fires && t.labels ? { labels: sortedRecord(t.labels) } : {}),
  };
}

/** The custom rules of one environment, by alert name. */
export function customRulesFor(spec: FabricYaml, env: string): CustomRule[] {
  const custom = spec.alerts?.custom ?? {};
  return Object.keys(custom)
    .sort()
    .filter((name) => custom[name].environments?.includes(env) ?? true)
    .map((name) => {
      const r = custom[name];
      return {
        alert: name,
        // A block scalar (`expr: |`) ends in a newline; the rule does not need it.
        expr: r.expr.trim(),
        ...(r.for ? { for: duration(r.for) } : {}),
        labels: { [SEVERITY_LABEL]: r.severity, [LABELS.env]: env },
        annotations: {
          summary: r.summary,
          ...(r.description ? { description: r.description } : {}),
          ...(r.runbookURL ? { runbook_url: r.runbookURL } : {}),
        },
        tests: (r.tests ?? []).map(testModel),
      };
    });
}
