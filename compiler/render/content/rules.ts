// PrometheusRules per environment and the promtool unit tests that prove each
// alert fires just past its threshold and stays silent just short of it.
// Built as data (no text templating), so `{{ $labels.job }}` reaches the
// output untouched.
import type { EnvironmentModel, Model } from '../../model/index.ts';
import { NAMESPACES } from '../../model/index.ts';
import { LABEL_KEYS, LABELS, METRICS, PROBE_ROUTE } from '../../model/constants.ts';
import { durationSeconds } from '../../units.ts';

const q = (s: string) => JSON.stringify(s); // PromQL double-quoted strings use Go escapes; JSON's are a subset.
const RATE_WINDOW = '5m';

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export function alertRules(env: EnvironmentModel): AlertRule[] {
  const a = env.alerts;
  const labels = (severity: string) => ({ severity, env: env.name });
  // One absence check per app and member cluster: with two clusters in an
  // environment, one going silent must not be hidden by the other.
  const appOnCluster = env.apps.flatMap((app) =>
    env.memberClusters.map((cluster) => `${LABELS.job}=${q(app)},${LABELS.cluster}=${q(cluster)}`),
  );
  // Probe traffic is not user traffic (see PROBE_ROUTE).
  const jobMatcher = `${env.apps.length ? `${LABELS.job}=~${q(env.apps.join('|'))}` : `${LABELS.job}=""`},${LABELS.route}!=${q(PROBE_ROUTE)}`;
  const rules: AlertRule[] = [];
  if (a.errorRate)
    rules.push({
      alert: 'HighErrorRate',
      expr: `(sum by (job) (rate(${METRICS.requests}{${jobMatcher},${LABELS.status}=~"5.."}[${RATE_WINDOW}])) / sum by (job) (rate(${METRICS.requests}{${jobMatcher}}[${RATE_WINDOW}]))) > ${a.errorRate.threshold}`,
      for: a.errorRate.for,
      labels: labels('critical'),
      annotations: {
        summary: `{{ $labels.job }} in ${env.name}: more than ${a.errorRate.thresholdText} of requests fail`,
        runbook: 'Check the app logs in Grafana (Loki) for 5xx responses and open a failing trace from them.',
      },
    });
  if (a.latencyP95)
    rules.push({
      alert: 'HighLatencyP95',
      expr: `histogram_quantile(0.95, sum by (job, le) (rate(${METRICS.durationBucket}{${jobMatcher}}[${RATE_WINDOW}]))) > ${a.latencyP95.thresholdSeconds}`,
      for: a.latencyP95.for,
      labels: labels('warning'),
      annotations: {
        summary: `{{ $labels.job }} in ${env.name}: p95 latency above ${a.latencyP95.thresholdSeconds}s`,
        runbook: 'Open an exemplar trace from the latency panel of the RED dashboard.',
      },
    });
  if (a.podRestarts)
    rules.push({
      alert: 'PodRestarting',
      expr: `sum by (namespace, pod) (increase(${METRICS.restarts}{namespace=${q(NAMESPACES.apps)}}[${a.podRestarts.window}])) >= ${a.podRestarts.threshold}`,
      labels: labels('warning'),
      annotations: {
        summary: `{{ $labels.pod }} in ${env.name} restarted ${a.podRestarts.threshold} times or more within ${a.podRestarts.window}`,
        runbook: 'kubectl describe the pod and read its previous logs.',
      },
    });
  if (a.lowRequestRate)
    rules.push({
      alert: 'LowRequestRate',
      expr: `sum by (job) (rate(${METRICS.requests}{${jobMatcher}}[${RATE_WINDOW}])) < ${a.lowRequestRate.threshold}`,
      for: a.lowRequestRate.for,
      labels: labels('warning'),
      annotations: {
        summary: `{{ $labels.job }} in ${env.name}: fewer than ${a.lowRequestRate.threshold} requests per second`,
        runbook: 'Check the Ingress and upstream callers of the app.',
      },
    });
  // Pushed OTLP metrics have no `up` series: an app that stops sending
  // telemetry is seen by its target_info series going absent.
  if (a.serviceDown && appOnCluster.length)
    rules.push({
      alert: 'ServiceDown',
      expr: appOnCluster.map((m) => `absent_over_time(${METRICS.targetInfo}{${m}}[2m])`).join(' or '),
      for: a.serviceDown.for,
      labels: labels('critical'),
      annotations: {
        summary: `{{ $labels.job }} on {{ $labels.cluster }} (${env.name}) sends no telemetry`,
        runbook: 'Check that the app pods run and that the Alloy agent on their node is ready.',
      },
    });
  return rules;
}

export function prometheusRule(env: EnvironmentModel) {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: `fabric-alerts-${env.name}`,
      // rules-sync selects rules by this label and loads them into this environment's Mimir.
      labels: { [LABEL_KEYS.environment]: env.name },
    },
    spec: { groups: [{ name: `fabric-${env.name}-apps`, rules: alertRules(env) }] },
  };
}

/** Rule file name promtool tests refer to: the PrometheusRule's `.spec`, extracted next to them. */
export const PROMTOOL_RULE_FILE = 'rules.rules.yaml';

const minutes = (d: string) => Math.ceil(durationSeconds(d) / 60);
const MAX_TEST_MINUTES = 24 * 60;

interface PromtoolCase {
  name: string;
  interval: string;
  input_series: { series: string; values: string }[];
  alert_rule_test: {
    eval_time: string;
    alertname: string;
    exp_alerts: { exp_labels: Record<string, string>; exp_annotations: Record<string, string> }[];
  }[];
}

/** A counter growing by `perMinute` every minute for `n` samples, in promtool's expanding notation. */
const counter = (perMinute: number, n: number) => `0+${perMinute}x${n}`;

/** One generated case: input series, when to evaluate, the labels the alert fires with. */
interface CaseInput {
  interval?: string;
  series: { series: string; values: string }[];
  eval: number;
  labels: Record<string, string>;
}

/** What every case builder needs: the environment, the app whose series it writes, selectors. */
interface CaseKit {
  env: EnvironmentModel;
  job: string;
  sel: (extra: Record<string, string>) => string;
  settle: (forDur?: string) => number;
}

type CaseBuilder = { alert: string; name: string; build: (fires: boolean) => CaseInput };

/** The alert's annotations with the labels a case fires with filled in. */
function expectedAlerts(rule: AlertRule, labels: Record<string, string>, fires: boolean) {
  if (!fires) return [];
  const annotations = Object.entries(rule.annotations).map(([k, v]) => [
    k,
    v
      .replace('{{ $labels.job }}', labels.job ?? '')
      .replace('{{ $labels.pod }}', labels.pod ?? '')
      .replace('{{ $labels.cluster }}', labels.cluster ?? ''),
  ]);
  return [{ exp_labels: { ...labels, ...rule.labels }, exp_annotations: Object.fromEntries(annotations) }];
}

export function promtoolTests(model: Model, env: EnvironmentModel) {
  const rules = alertRules(env);
  const job = env.apps[0];
  if (!job) return undefined;
  const kit: CaseKit = {
    env,
    job,
    sel: (extra) =>
      `{${Object.entries({ job, ...extra })
        .map(([k, v]) => `${k}=${q(v)}`)
        .join(',')}}`,
    settle: (forDur) => 5 + (forDur ? minutes(forDur) : 0) + 2,
  };
  const builders = [errorRateCase, latencyCase, podRestartsCase, lowRequestRateCase, serviceDownCase]
    .map((b) => b(kit))
    .filter((b): b is CaseBuilder => b !== undefined);
  const tests: PromtoolCase[] = [];
  for (const { alert, name, build } of builders) {
    const rule = rules.find((r) => r.alert === alert);
    // promtool evaluates every minute up to eval_time: a `for` or window
    // longer than a day would make one case cost minutes, so such alerts
    // get no generated case (promtool check rules still checks them).
    if (
      !rule ||
      minutes(rule.for ?? '0s') > MAX_TEST_MINUTES ||
      (rule.alert === 'PodRestarting' && minutes(env.alerts.podRestarts!.window) > MAX_TEST_MINUTES)
    )
      continue;
    for (const fires of [true, false]) {
      const c = build(fires);
      tests.push({
        name: `${rule.alert} ${fires ? 'fires just past' : 'stays silent just short of'} its threshold (${name})`,
        interval: c.interval ?? '1m',
        input_series: c.series,
        alert_rule_test: [
          { eval_time: `${c.eval}m`, alertname: rule.alert, exp_alerts: expectedAlerts(rule, c.labels, fires) },
        ],
      });
    }
  }
  void model;
  return { rule_files: [PROMTOOL_RULE_FILE], evaluation_interval: '1m', tests };
}

function errorRateCase({ env, job, sel, settle }: CaseKit): CaseBuilder | undefined {
  const er = env.alerts.errorRate;
  if (!er) return undefined;
  return {
    alert: 'HighErrorRate',
    name: `threshold ${er.threshold}`,
    build: (fires) => {
      const total = 100000; // requests per minute: ratio resolution 1e-5
      const errors = fires ? Math.floor(er.threshold * total) + 1 : Math.ceil(er.threshold * total) - 1;
      const n = settle(er.for) + 5;
      return {
        series: [
          { series: `${METRICS.requests}${sel({ [LABELS.status]: '500' })}`, values: counter(errors, n) },
          { series: `${METRICS.requests}${sel({ [LABELS.status]: '200' })}`, values: counter(total - errors, n) },
        ],
        eval: settle(er.for),
        labels: { job },
      };
    },
  };
}

function latencyCase({ env, job, sel, settle }: CaseKit): CaseBuilder | undefined {
  const lat = env.alerts.latencyP95;
  if (!lat) return undefined;
  return {
    alert: 'HighLatencyP95',
    name: `threshold ${lat.thresholdSeconds}s`,
    build: (fires) => {
      const t = lat.thresholdSeconds;
      const n = settle(lat.for) + 5;
      // All requests in (t, 2t] put p95 near 1.95t; all in (t/2, t] put it at 0.975t.
      const les = [t / 2, t, t * 2];
      const bucket = (le: number | string, perMinute: number) => ({
        series: `${METRICS.durationBucket}${sel({ le: String(le) })}`,
        values: counter(perMinute, n),
      });
      const series = fires
        ? [bucket(les[0], 0), bucket(les[1], 0), bucket(les[2], 100), bucket('+Inf', 100)]
        : [bucket(les[0], 0), bucket(les[1], 100), bucket(les[2], 100), bucket('+Inf', 100)];
      return { series, eval: settle(lat.for), labels: { job } };
    },
  };
}

function podRestartsCase({ env, job }: CaseKit): CaseBuilder | undefined {
  const pr = env.alerts.podRestarts;
  if (!pr) return undefined;
  return {
    alert: 'PodRestarting',
    name: `threshold ${pr.threshold} in ${pr.window}`,
    build: (fires) => {
      // Samples every second, so increase()'s extrapolation to the window edge
      // adds at most 1/window: threshold - 1 restarts stay below the threshold.
      const windowS = durationSeconds(pr.window);
      const restarts = fires ? pr.threshold : pr.threshold - 1;
      const quietS = 60;
      const values = `0x${quietS} ${restarts}x${windowS + 60}`;
      const evalMin = Math.ceil((quietS + windowS / 2) / 60);
      return {
        interval: '1s',
        series: [
          { series: `${METRICS.restarts}{namespace=${q(NAMESPACES.apps)},pod="${job}-0",container="app"}`, values },
        ],
        eval: evalMin,
        labels: { namespace: NAMESPACES.apps, pod: `${job}-0` },
      };
    },
  };
}

function lowRequestRateCase({ env, job, sel, settle }: CaseKit): CaseBuilder | undefined {
  const lr = env.alerts.lowRequestRate;
  if (!lr) return undefined;
  return {
    alert: 'LowRequestRate',
    name: `threshold ${lr.threshold}/s`,
    build: (fires) => {
      const perSecond = fires ? lr.threshold * 0.9 : lr.threshold * 1.1;
      const n = settle(lr.for) + 5;
      // Probes keep calling the probe route at 1/s; they must not count as traffic.
      const probes = {
        series: `${METRICS.requests}${sel({ [LABELS.status]: '200', [LABELS.route]: PROBE_ROUTE })}`,
        values: counter(60, n),
      };
      return {
        series: [
          {
            series: `${METRICS.requests}${sel({ [LABELS.status]: '200', [LABELS.route]: '/api/users' })}`,
            values: counter(perSecond * 60, n),
          },
          probes,
        ],
        eval: settle(lr.for),
        labels: { job },
      };
    },
  };
}

function serviceDownCase({ env, job, settle }: CaseKit): CaseBuilder | undefined {
  const sd = env.alerts.serviceDown;
  if (!sd) return undefined;
  return {
    alert: 'ServiceDown',
    name: `for ${sd.for}`,
    build: (fires) => {
      const n = settle(sd.for) + 5;
      // Every app reports from every member cluster, except `job` on the first
      // cluster when the alert should fire (it still reports from the others).
      const silent = env.memberClusters[0];
      const series = env.apps.flatMap((a) =>
        env.memberClusters
          .filter((c) => !fires || a !== job || c !== silent)
          .map((c) => ({ series: `${METRICS.targetInfo}{job=${q(a)},cluster=${q(c)}}`, values: `1+0x${n}` })),
      );
      if (series.length === 0)
        series.push({ series: `${METRICS.targetInfo}{job="some-other-app",cluster=${q(silent)}}`, values: `1+0x${n}` });
      return { series, eval: settle(sd.for), labels: { job, cluster: silent } };
    },
  };
}
