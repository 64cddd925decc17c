// alerts.custom: the rule's name and expression, the environments it names,
// and its promtool tests (input a promtool can load, an expectation at a time
// the series cover and the alert can have fired by).
import { BUILTIN_ALERT_NAMES, RULE_SET_LABELS } from '../../model/custom-rules.ts';
import { locateWithin, type PathSegment } from '../../load.ts';
import type { FabricYaml } from '../../spec-types.ts';
import { durationSeconds, MAX_DURATION_SECONDS } from '../../units.ts';
import { defineCheck, type CheckContext } from '../check.ts';
import { promqlSyntaxError, seriesSampleCount, seriesSelectorProblem } from '../promql.ts';

type Rule = NonNullable<NonNullable<FabricYaml['alerts']>['custom']>[string];
type Test = NonNullable<Rule['tests']>[number];
type Codes = 'FAB201' | 'FAB270' | 'FAB271' | 'FAB272' | 'FAB273' | 'FAB274' | 'FAB275';
type Ctx = CheckContext<Codes>;

/** Prometheus's rule for an alert name (a metric name) and for label names. */
const ALERT_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** promtool evaluates the rules every minute up to the test's time: a day is 1440 evaluations. */
const MAX_TEST_SECONDS = 24 * 3600;
/** Samples of one input series: a week at one a minute. */
const MAX_SAMPLES = 7 * 24 * 60;

const asAlertName = (name: string) => name.replace(/[^a-zA-Z0-9_:]+/g, '_').replace(/^([0-9])/, '_$1');

function checkName(ctx: Ctx, name: string) {
  const at: PathSegment[] = ['alerts', 'custom', name];
  if (!ALERT_NAME.test(name))
    ctx.report(
      'FAB270',
      at,
      `alert name '${name}' is not a Prometheus alert name`,
      `use letters, digits, _ and : only, not starting with a digit, for example '${asAlertName(name)}'`,
      { key: true },
    );
  else if (BUILTIN_ALERT_NAMES.includes(name))
    ctx.report(
      'FAB270',
      at,
      `alert name '${name}' is the name of a built-in alert`,
      `choose another name (the built-in alerts are ${BUILTIN_ALERT_NAMES.join(', ')}); to replace the built-in one, also set its enabled: false under alerts`,
      { key: true },
    );
}

function checkExpression(ctx: Ctx, name: string, rule: Rule) {
  const error = promqlSyntaxError(rule.expr);
  if (!error) return;
  const path = ['alerts', 'custom', name, 'expr'];
  // A folded or escaped scalar is not the expression character for character: then the value's start is named.
  const where = locateWithin(ctx.loaded, path, error.offset).exact ? '' : ` at character ${error.offset + 1}`;
  ctx.report(
    'FAB271',
    path,
    `alerts.custom.${name}.expr is not valid PromQL: ${error.message}${where}`,
    'fix the expression at the position shown (try it in Grafana Explore or the Prometheus UI first)',
    { within: error.offset },
  );
}

function checkEnvironments(ctx: Ctx, name: string, rule: Rule) {
  (rule.environments ?? []).forEach((env, i) => {
    if (ctx.envNames.includes(env)) return;
    const { hint, related } = ctx.unknownEnvironment(env);
    const list = `the environments are ${ctx.envNames.join(', ')}`;
    ctx.report(
      'FAB201',
      ['alerts', 'custom', name, 'environments', i],
      `custom alert '${name}' names environment '${env}', which is not defined`,
      hint.startsWith('did you mean') ? `${hint} (${list})` : `${list}; or define '${env}' under environments:`,
      { related },
    );
  });
}

/** Problems of the input series; the sample count of the longest, when all are readable. */
function checkSeries(ctx: Ctx, at: PathSegment[], test: Test): number | undefined {
  let longest = 0;
  let readable = true;
  for (const [series, values] of Object.entries(test.series)) {
    const problem = seriesSelectorProblem(series);
    if (problem)
      ctx.report(
        'FAB272',
        [...at, 'series', series],
        `test series '${series}' cannot be loaded by promtool: ${problem}`,
        `write the series as metric{label="value",...}, for example queue_depth{job="worker"}`,
        { key: true },
      );
    const samples = seriesSampleCount(values);
    if ('bad' in samples) {
      readable = false;
      ctx.report(
        'FAB272',
        [...at, 'series', series],
        `test values '${values}' are not in promtool's notation: cannot read '${samples.bad}'`,
        "write numbers separated by spaces, 'a+bxN' (N+1 samples from a, growing by b), 'axN', '_' (no sample), '_xN' or 'stale'",
      );
    } else if (samples.count > MAX_SAMPLES) {
      readable = false;
      ctx.report(
        'FAB272',
        [...at, 'series', series],
        `test values '${values}' stand for ${samples.count} samples, more than ${MAX_SAMPLES}`,
        'a test needs the samples up to its firesAt or silentAt time: shorten the series',
      );
    } else longest = Math.max(longest, samples.count);
  }
  for (const label of Object.keys(test.labels ?? {}))
    if (!LABEL_NAME.test(label))
      ctx.report(
        'FAB272',
        [...at, 'labels', label],
        `'${label}' is not a Prometheus label name`,
        'use letters, digits and _, not starting with a digit',
        { key: true },
      );
  return readable ? longest : undefined;
}

/** The expectation: one of firesAt and silentAt, at a time the series cover and the rule's for: has passed. */
function checkExpectation(ctx: Ctx, name: string, rule: Rule, at: PathSegment[], test: Test, samples?: number) {
  const kinds = (['firesAt', 'silentAt'] as const).filter((k) => test[k] !== undefined);
  if (kinds.length !== 1) {
    ctx.report(
      'FAB273',
      at,
      kinds.length === 0
        ? `alerts.custom.${name}.tests[${at[at.length - 1]}] expects nothing`
        : `alerts.custom.${name}.tests[${at[at.length - 1]}] gives both firesAt and silentAt`,
      'give exactly one: firesAt: <time> (the alert fires then) or silentAt: <time> (it does not); split the test in two for both',
    );
    return;
  }
  const kind = kinds[0];
  const time = durationSeconds(test[kind]!);
  const interval = durationSeconds(test.interval ?? '1m');
  const timePath = [...at, kind];
  if (test.labels && kind === 'silentAt')
    ctx.report('FAB273', [...at, 'labels'], 'labels: go with firesAt', 'remove labels:, or expect firesAt', {
      key: true,
    });
  for (const label of Object.keys(test.labels ?? {}).filter((l) => RULE_SET_LABELS.includes(l)))
    ctx.report(
      'FAB273',
      [...at, 'labels', label],
      `test label '${label}' is one fabric sets on every alert of this rule (alertname, alertstate, severity, env)`,
      `remove '${label}' from the test's labels: the alert carries the rule's ${label === 'severity' ? `severity (${rule.severity})` : label} whatever the test says`,
      { key: true },
    );
  if (time > MAX_TEST_SECONDS)
    ctx.report(
      'FAB273',
      timePath,
      `${kind} is ${test[kind]}, longer than a day`,
      'promtool evaluates the rule every minute up to it: test within a day',
    );
  else if (samples !== undefined && time > (samples - 1) * interval)
    ctx.report(
      'FAB273',
      timePath,
      `${kind} is ${test[kind]}, after the last sample of the input series (${samples} samples, ${test.interval ?? '1m'} apart, end at ${((samples - 1) * interval) / 60}m)`,
      `lengthen the series (for example '150x${Math.ceil(time / interval)}') or check earlier`,
    );
  if (kind === 'firesAt' && rule.for && time < durationSeconds(rule.for))
    ctx.report(
      'FAB273',
      timePath,
      `firesAt is ${test.firesAt}, before the rule's for: ${rule.for} can have passed, so the alert cannot fire then`,
      `check at ${rule.for} or later`,
    );
}

function checkDurations(ctx: Ctx, name: string, rule: Rule) {
  const paths: PathSegment[][] = rule.for ? [['alerts', 'custom', name, 'for']] : [];
  (rule.tests ?? []).forEach((t, i) => {
    if (t.interval) paths.push(['alerts', 'custom', name, 'tests', i, 'interval']);
  });
  for (const path of paths) {
    const value = ctx.valueAt(path) as string;
    if (durationSeconds(value) > MAX_DURATION_SECONDS)
      ctx.report(
        'FAB274',
        path,
        `${path.join('.')} is ${value}, longer than the 2562047h (about 292 years) a Go duration holds`,
        'use a shorter duration',
      );
  }
}

export default defineCheck({
  name: 'custom-rules',
  codes: ['FAB201', 'FAB270', 'FAB271', 'FAB272', 'FAB273', 'FAB274', 'FAB275'],
  run(ctx) {
    const custom = ctx.spec.alerts?.custom ?? {};
    for (const [name, rule] of Object.entries(custom)) {
      checkName(ctx, name);
      checkExpression(ctx, name, rule);
      checkEnvironments(ctx, name, rule);
      checkDurations(ctx, name, rule);
      (rule.tests ?? []).forEach((test, i) => {
        const at: PathSegment[] = ['alerts', 'custom', name, 'tests', i];
        const samples = checkSeries(ctx, at, test);
        checkExpectation(ctx, name, rule, at, test, samples);
      });
    }
    // The environments' alerts share the top level's schema; custom rules are scoped from the top level instead.
    for (const env of ctx.envNames)
      if (ctx.spec.environments[env].alerts?.custom !== undefined)
        ctx.report(
          'FAB275',
          ['environments', env, 'alerts', 'custom'],
          `custom alerts are defined at the top level, not under environments.${env}.alerts`,
          `move them to alerts.custom and give each environments: [${env}]`,
          { key: true },
        );
  },
});
