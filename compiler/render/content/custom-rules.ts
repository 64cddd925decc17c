// The custom rules' part of an environment's PrometheusRule and promtool tests
// (model/custom-rules.ts). Built as data, like the built-in rules, so Prometheus
// templates in annotations reach the output untouched.
import { LABELS, SEVERITY_LABEL, type EnvironmentModel } from '../../model/index.ts';
import type { CustomRule, CustomRuleTest } from '../../model/index.ts';

/** The rule group of an environment's custom rules, or none. */
export function customRuleGroups(env: EnvironmentModel) {
  if (env.customRules.length === 0) return [];
  return [
    {
      name: `fabric-${env.name}-custom`,
      rules: env.customRules.map((r) => ({
        alert: r.alert,
        expr: r.expr,
        ...(r.for ? { for: r.for } : {}),
        labels: r.labels,
        annotations: r.annotations,
      })),
    },
  ];
}

/** `{k="v",...}` as promtool reads a series' labels (Go string escapes; JSON's are a subset). */
const labelSet = (labels: Record<string, string>) =>
  `{${Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',')}}`;

/**
 * A firing expectation reads the ALERTS series the rule writes: the alert's
 * annotations may hold templates ({{ $value }}) whose text no one can write in
 * advance, and promtool's alert_rule_test compares annotations exactly.
 * Without `labels`, the test asks that some alert of this name fires with its
 * severity and env (whatever series it fires for); with them, exactly that one.
 */
function firingExpectation(rule: CustomRule, t: CustomRuleTest) {
  const own = { alertname: rule.alert, alertstate: 'firing' };
  const selector = `ALERTS${labelSet(own)}`;
  const kept = { ...own, [SEVERITY_LABEL]: rule.labels[SEVERITY_LABEL], [LABELS.env]: rule.labels[LABELS.env] };
  if (t.labels)
    return {
      expr: selector,
      eval_time: t.at,
      exp_samples: [{ labels: `ALERTS${labelSet({ ...t.labels, ...rule.labels, ...own })}`, value: 1 }],
    };
  return {
    expr: `group by (${Object.keys(kept).sort().join(', ')}) (${selector})`,
    eval_time: t.at,
    exp_samples: [{ labels: labelSet(kept), value: 1 }],
  };
}

/** One promtool test case per custom test, in the shape of the generated test file's `tests`. */
export function customPromtoolCases(env: EnvironmentModel) {
  return env.customRules.flatMap((rule) =>
    rule.tests.map((t, i) => ({
      name: `${rule.alert} ${t.fires ? 'fires' : 'stays silent'} at ${t.at} (alerts.custom.${rule.alert}.tests[${i}])`,
      interval: t.interval,
      input_series: t.series,
      ...(t.fires
        ? { promql_expr_test: [firingExpectation(rule, t)] }
        : { alert_rule_test: [{ eval_time: t.at, alertname: rule.alert, exp_alerts: [] }] }),
    })),
  );
}
