// promtool unit tests of the built-in alerts: each fires just past its
// threshold and stays silent just short of it, for every value the spec
// accepts (ALERT_LIMITS bounds the durations, so the series and the number of
// evaluations stay small; docs/alerting.md, "Bounds").
import type { EnvironmentModel, Model } from '../../model/index.ts';
import { ALERT_LIMITS, LABELS, METRICS, NAMESPACES } from '../../model/index.ts';
import { durationSeconds } from '../../units.ts';
import { builtinAlertRules, PROMTOOL_RULE_FILE, q, type AlertRule } from './rules.ts';

/** How generated promtool test files end (compile --verify runs every `*.promtool-test.yaml`). */
export const PROMTOOL_TEST_SUFFIX = '.promtool-test.yaml';

/** One test group of a promtool test file. */
export interface PromtoolCase {
  name: string;
  interval: string;
  input_series: { series: string; values: string }[];
  alert_rule_test?: {
    eval_time: string;
    alertname: string;
    exp_alerts: { exp_labels: Record<string, string>; exp_annotations: Record<string, string> }[];
  }[];
  /** Custom rules' firing expectations read the ALERTS series (content/custom-rules.ts says why). */
  promql_expr_test?: { expr: string; eval_time: string; exp_samples: { labels: string; value: number }[] }[];
}

const EVALUATION_INTERVAL = `${ALERT_LIMITS.evaluationIntervalSeconds / 60}m`;
const minutes = (d: string) => Math.ceil(durationSeconds(d) / 60);
const RATE_WINDOW_MINUTES = minutes(ALERT_LIMITS.rateWindow);
/** A number as promtool reads it, without binary noise (0.09000000000000001 -> 0.09); integers are exact already. */
const num = (x: number) => (Number.isSafeInteger(x) ? String(x) : String(Number(x.toPrecision(12))));
/** A counter growing by `perMinute` every minute for `n` samples, in promtool's expanding notation. */
const counter = (perMinute: number, n: number) => `0+${num(perMinute)}x${n}`;

/** What one case gives: its input series, when to evaluate (minutes), the labels the alert fires with. */
interface CaseInput {
  intervalMinutes?: number;
  series: { series: string; values: string }[];
  eval: number;
  labels: Record<string, string>;
}

interface Variant {
  name: string;
  fires: boolean;
  build: () => CaseInput;
}

/** What every case builder needs: the environment, the app and cluster whose series it writes. */
interface CaseKit {
  env: EnvironmentModel;
  job: string;
  cluster: string;
  /** The probe path of `job`: the rules leave its requests out. */
  probePath: string;
  /** `{job=..., cluster=..., env=..., <extra>}`: the labels Alloy's exporter and external_labels put on a series. */
  sel: (extra: Record<string, string>) => string;
  /** Minutes after which a condition true from the start has held for `for` (the rate window filled, then some). */
  settle: (forDur?: string) => number;
}

/** The alert's annotations with the labels a case fires with filled in. */
function expectedAlerts(rule: AlertRule, labels: Record<string, string>, fires: boolean) {
  if (!fires) return [];
  const fill = (v: string) => v.replace(/\{\{ \$labels\.([a-z_]+) \}\}/g, (_, k: string) => labels[k] ?? '');
  const annotations = Object.fromEntries(Object.entries(rule.annotations).map(([k, v]) => [k, fill(v)]));
  // Object.assign, not `{ ...a, ...b }`: V8 (Node 20) builds a spread-first object through a slow path.
  return [{ exp_labels: Object.assign({}, labels, rule.labels), exp_annotations: annotations }];
}

const BUILDERS: Record<string, (kit: CaseKit) => Variant[]> = {
  HighErrorRate: errorRateCases,
  HighLatencyP95: latencyCases,
  LowRequestRate: lowRequestRateCases,
  ServiceDown: serviceDownCases,
  PodRestarting: podRestartsCases,
};

/** The promtool test cases of an environment's built-in rules (none without apps). */
export function builtinTestCases(
  model: Model,
  env: EnvironmentModel,
  rules = builtinAlertRules(model, env),
): PromtoolCase[] {
  const job = env.apps[0];
  const cluster = env.memberClusters[0];
  if (!job || !cluster) return [];
  const own = `${LABELS.job}=${q(job)},${LABELS.cluster}=${q(cluster)},${LABELS.env}=${q(env.name)}`;
  const kit: CaseKit = {
    env,
    job,
    cluster,
    probePath: model.apps.find((a) => a.name === job)!.probes.path,
    sel: (extra) =>
      `{${own}${Object.keys(extra)
        .map((k) => `,${k}=${q(extra[k])}`)
        .join('')}}`,
    settle: (forDur) => RATE_WINDOW_MINUTES + (forDur ? minutes(forDur) : 0) + 2,
  };
  return rules.flatMap((rule) =>
    BUILDERS[rule.alert](kit).map(({ name, fires, build }): PromtoolCase => {
      const c = build();
      return {
        name: `${rule.alert} ${fires ? 'fires' : 'stays silent'} ${name}`,
        interval: `${c.intervalMinutes ?? 1}m`,
        input_series: c.series,
        alert_rule_test: [
          { eval_time: `${c.eval}m`, alertname: rule.alert, exp_alerts: expectedAlerts(rule, c.labels, fires) },
        ],
      };
    }),
  );
}

/** A promtool test file: the cases of the built-in rules and any others, against the plain rule file beside it. */
export function promtoolTestFile(cases: PromtoolCase[]) {
  if (cases.length === 0) return undefined;
  return { rule_files: [PROMTOOL_RULE_FILE], evaluation_interval: EVALUATION_INTERVAL, tests: cases };
}

/** The semconv request-duration count of one route and status. */
const requests = (kit: CaseKit, route: string, status: string, perMinute: number, n: number) => ({
  series: `${METRICS.httpDurationCount}${kit.sel({ [LABELS.route]: route, [LABELS.method]: 'GET', [LABELS.status]: status })}`,
  values: counter(perMinute, n),
});

function errorRateCases(kit: CaseKit): Variant[] {
  const er = kit.env.alerts.errorRate!;
  const total = 100000; // requests per minute: the ratio moves in steps of 1e-5, below the smallest threshold's margin
  const exact = er.threshold * total;
  const whole = Math.abs(exact - Math.round(exact)) < 1e-6 ? Math.round(exact) : undefined;
  // Within [0, total]: a threshold a hair below 1 fires only when every request fails.
  const above = Math.min(total, whole !== undefined ? whole + 1 : Math.ceil(exact));
  const below = Math.max(0, whole !== undefined ? whole - 1 : Math.floor(exact));
  const build = (errors: number) => (): CaseInput => {
    const n = kit.settle(er.for) + 5;
    return {
      series: [requests(kit, '/api/users', '500', errors, n), requests(kit, '/api/users', '200', total - errors, n)],
      eval: kit.settle(er.for),
      labels: { [LABELS.cluster]: kit.cluster, [LABELS.job]: kit.job },
    };
  };
  return [
    { name: `just past its threshold (${er.threshold}: ${above} of ${total})`, fires: true, build: build(above) },
    { name: `just short of its threshold (${er.threshold}: ${below} of ${total})`, fires: false, build: build(below) },
  ];
}

function latencyCases(kit: CaseKit): Variant[] {
  const lat = kit.env.alerts.latencyP95!;
  const t = lat.thresholdSeconds;
  // All requests in (t, 2t] put p95 at 1.95t; all in (t/2, t] put it at 0.975t.
  const build = (slow: boolean) => (): CaseInput => {
    const n = kit.settle(lat.for) + 5;
    const bucket = (le: string, perMinute: number) => ({
      series: `${METRICS.httpDurationBucket}${kit.sel({ [LABELS.route]: '/api/users', [LABELS.method]: 'GET', [LABELS.status]: '200', [LABELS.le]: le })}`,
      values: counter(perMinute, n),
    });
    const series = [
      bucket(num(t / 2), 0),
      bucket(num(t), slow ? 0 : 100),
      bucket(num(t * 2), 100),
      bucket('+Inf', 100),
    ];
    return { series, eval: kit.settle(lat.for), labels: { [LABELS.cluster]: kit.cluster, [LABELS.job]: kit.job } };
  };
  return [
    { name: `just past its threshold (${t}s: p95 at ${num(1.95 * t)}s)`, fires: true, build: build(true) },
    { name: `just short of its threshold (${t}s: p95 at ${num(0.975 * t)}s)`, fires: false, build: build(false) },
  ];
}

function lowRequestRateCases(kit: CaseKit): Variant[] {
  const lr = kit.env.alerts.lowRequestRate!;
  const n = kit.settle(lr.for) + 5;
  const labels = { [LABELS.cluster]: kit.cluster, [LABELS.job]: kit.job };
  // Probes call the probe path once a second; they must not count as traffic.
  const probes = () => requests(kit, kit.probePath, '200', 60, n);
  const build = (perSecond: number | undefined) => (): CaseInput => ({
    series: [...(perSecond === undefined ? [] : [requests(kit, '/api/users', '200', perSecond * 60, n)]), probes()],
    eval: kit.settle(lr.for),
    labels,
  });
  return [
    {
      name: `just past its threshold (${lr.threshold}/s: ${num(lr.threshold * 0.9)}/s)`,
      fires: true,
      build: build(lr.threshold * 0.9),
    },
    {
      name: `just short of its threshold (${lr.threshold}/s: ${num(lr.threshold * 1.1)}/s)`,
      fires: false,
      build: build(lr.threshold * 1.1),
    },
    { name: 'when only probes call the app', fires: true, build: build(undefined) },
  ];
}

function serviceDownCases(kit: CaseKit): Variant[] {
  const { env, job, settle } = kit;
  const sd = env.alerts.serviceDown!;
  const n = settle(sd.for) + 5;
  // Every app reports from every member cluster, except `job` on the first
  // cluster when the alert should fire (it still reports from the others).
  const build = (fires: boolean) => (): CaseInput => {
    const series = env.apps.flatMap((a) =>
      env.memberClusters
        .filter((c) => !fires || a !== job || c !== kit.cluster)
        .map((c) => ({
          series: `${METRICS.targetInfo}{${LABELS.job}=${q(a)},${LABELS.cluster}=${q(c)},${LABELS.env}=${q(env.name)}}`,
          values: `1+0x${n}`,
        })),
    );
    if (series.length === 0)
      series.push({
        series: `${METRICS.targetInfo}{${LABELS.job}="some-other-app",${LABELS.cluster}=${q(kit.cluster)}}`,
        values: `1+0x${n}`,
      });
    return { series, eval: settle(sd.for), labels: { [LABELS.job]: job, [LABELS.cluster]: kit.cluster } };
  };
  return [
    { name: `when one cluster's app sends nothing for ${sd.for}`, fires: true, build: build(true) },
    { name: 'while every app reports from every cluster', fires: false, build: build(false) },
  ];
}

function podRestartsCases(kit: CaseKit): Variant[] {
  const pr = kit.env.alerts.podRestarts!;
  const pod = `${kit.job}-0`;
  // About 20 samples per window (never fewer than one a minute), so a week's
  // window loads ~21 samples rather than 10081 (promtool refuses a query over
  // 10000). Samples at 0 and I before the restarts and at 2I, 3I after;
  // evaluated at 2I, when the window (at least 2I long) reaches back to 0, so
  // promtool evaluates the rules 2I/1m times (1008 for a week). The counter
  // starts at 0, so increase() extrapolates nothing: exactly the restarts.
  const interval = Math.max(1, Math.ceil(durationSeconds(pr.window) / 60 / 20));
  const build = (restarts: number) => (): CaseInput => ({
    intervalMinutes: interval,
    series: [
      {
        series: `${METRICS.restarts}{${LABELS.cluster}=${q(kit.cluster)},${LABELS.env}=${q(kit.env.name)},${LABELS.namespace}=${q(NAMESPACES.apps)},${LABELS.pod}=${q(pod)},container="app"}`,
        values: `0x1 ${restarts}x1`,
      },
    ],
    eval: 2 * interval,
    labels: { [LABELS.cluster]: kit.cluster, [LABELS.namespace]: NAMESPACES.apps, [LABELS.pod]: pod },
  });
  return [
    {
      name: `at its threshold (${pr.threshold} restarts in ${pr.window})`,
      fires: true,
      build: build(pr.threshold),
    },
    {
      name: `just short of its threshold (${pr.threshold - 1} restarts in ${pr.window})`,
      fires: false,
      build: build(pr.threshold - 1),
    },
  ];
}
