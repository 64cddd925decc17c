// The built-in alert rules of each environment, and the two files they are
// written to: the PrometheusRule (deployed) and the same groups as a plain
// Prometheus rule file (for promtool, never deployed). Built as data (no text
// templating), so `{{ $labels.job }}` reaches the output untouched.
//
// The RED alerts read the OpenTelemetry HTTP semantic-convention metric
// http.server.request.duration as it lands in Mimir (METRICS.httpDuration*),
// which any instrumented service emits; the spec's apps select their series
// by `job` (service.name). An environment without apps gets no rules.
import type { EnvironmentModel, Model } from '../../model/index.ts';
import { ALERT_LIMITS, LABEL_KEYS, LABELS, METRICS, NAMESPACES } from '../../model/index.ts';
import { durationSeconds, promDuration } from '../../units.ts';
import { BUILTIN_ALERTS, runbookUrl, type BuiltinAlertName } from '../../model/builtin-alerts.ts';

export const q = (s: string) => JSON.stringify(s); // PromQL double-quoted strings use Go escapes; JSON's are a subset.
/** A regular expression that matches exactly these strings (RE2 syntax). */
const alternatives = (values: string[]) => values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** A Prometheus rule group: what a PrometheusRule's spec.groups and a plain rule file hold. */
export interface RuleGroup {
  name: string;
  rules: AlertRule[];
}

/** The label sets the RED alerts aggregate to: one alert per service and cluster. */
const BY_SERVICE = `${LABELS.cluster}, ${LABELS.job}`;

/** The selectors of one environment's apps. */
function selectors(model: Model, env: EnvironmentModel) {
  const jobs = `${LABELS.job}=~${q(alternatives(env.apps))}`;
  // Kubernetes calls each app's probe path every few seconds: those requests
  // are not user traffic (they would hide an app nobody calls and dilute errors and latency).
  const probes = [...new Set(model.apps.filter((a) => env.apps.includes(a.name)).map((a) => a.probes.path))].sort();
  const notProbe =
    probes.length === 1 ? `${LABELS.route}!=${q(probes[0])}` : `${LABELS.route}!~${q(alternatives(probes))}`;
  return { jobs, traffic: `${jobs},${notProbe}` };
}

/** How long an app has sent nothing when ServiceDown fires: the absence window, then `for`. */
const silentFor = (forDur: string) =>
  promDuration(durationSeconds(ALERT_LIMITS.absentWindow) + durationSeconds(forDur));

const rate = (metric: string, selector: string) => `rate(${metric}{${selector}}[${ALERT_LIMITS.rateWindow}])`;

/** One rule per enabled built-in alert, in BUILTIN_ALERTS' order. */
export function builtinAlertRules(model: Model, env: EnvironmentModel): AlertRule[] {
  if (env.apps.length === 0) return [];
  const a = env.alerts;
  const { jobs, traffic } = selectors(model, env);
  const where = `{{ $labels.${LABELS.job} }} on {{ $labels.${LABELS.cluster} }} (${env.name})`;
  const requests = `sum by (${BY_SERVICE}) (${rate(METRICS.httpDurationCount, traffic)})`;
  const build: Record<BuiltinAlertName, () => Omit<AlertRule, 'alert' | 'labels'> | undefined> = {
    HighErrorRate: () =>
      a.errorRate && {
        expr: `(sum by (${BY_SERVICE}) (${rate(METRICS.httpDurationCount, `${traffic},${LABELS.status}=~"5.."`)}) / ${requests}) > ${a.errorRate.threshold}`,
        for: a.errorRate.for,
        annotations: {
          summary: `${where}: more than ${a.errorRate.thresholdText} of requests fail`,
          description: `More than ${a.errorRate.thresholdText} of the HTTP requests {{ $labels.${LABELS.job} }} served on cluster {{ $labels.${LABELS.cluster} }} were answered with a 5xx status (${ALERT_LIMITS.rateWindow} rate, for ${a.errorRate.for}).`,
        },
      },
    HighLatencyP95: () =>
      a.latencyP95 && {
        expr: `histogram_quantile(0.95, sum by (${BY_SERVICE}, ${LABELS.le}) (${rate(METRICS.httpDurationBucket, traffic)})) > ${a.latencyP95.thresholdSeconds}`,
        for: a.latencyP95.for,
        annotations: {
          summary: `${where}: p95 latency above ${a.latencyP95.thresholdSeconds}s`,
          description: `The 95th percentile of the HTTP request duration of {{ $labels.${LABELS.job} }} on cluster {{ $labels.${LABELS.cluster} }} has been above ${a.latencyP95.thresholdSeconds}s for ${a.latencyP95.for} (${ALERT_LIMITS.rateWindow} rate).`,
        },
      },
    LowRequestRate: () =>
      a.lowRequestRate && {
        // A service that has only served probes has no series without them: it counts as 0 requests.
        expr: `(${requests} or 0 * sum by (${BY_SERVICE}) (${rate(METRICS.httpDurationCount, jobs)})) < ${a.lowRequestRate.threshold}`,
        for: a.lowRequestRate.for,
        annotations: {
          summary: `${where}: fewer than ${a.lowRequestRate.threshold} requests per second`,
          description: `{{ $labels.${LABELS.job} }} on cluster {{ $labels.${LABELS.cluster} }} has served fewer than ${a.lowRequestRate.threshold} requests per second (probes not counted) for ${a.lowRequestRate.for}.`,
        },
      },
    // Pushed OTLP metrics have no `up` series: an app that stops sending
    // telemetry is seen by its target_info series going absent, checked per
    // member cluster so that one cluster going silent is not hidden by another.
    ServiceDown: () =>
      a.serviceDown && {
        expr: env.apps
          .flatMap((app) =>
            env.memberClusters.map(
              (c) =>
                `absent_over_time(${METRICS.targetInfo}{${LABELS.job}=${q(app)},${LABELS.cluster}=${q(c)}}[${ALERT_LIMITS.absentWindow}])`,
            ),
          )
          .join(' or '),
        for: a.serviceDown.for,
        annotations: {
          summary: `${where} sends no telemetry`,
          description: `No ${METRICS.targetInfo} series from {{ $labels.${LABELS.job} }} on cluster {{ $labels.${LABELS.cluster} }} for ${silentFor(a.serviceDown.for)}: the app or the Alloy agent of its node is down, or cannot reach the monitoring cluster.`,
        },
      },
    PodRestarting: () =>
      a.podRestarts && {
        expr: `sum by (${LABELS.cluster}, ${LABELS.namespace}, ${LABELS.pod}) (increase(${METRICS.restarts}{${LABELS.namespace}=${q(NAMESPACES.apps)}}[${a.podRestarts.window}])) >= ${a.podRestarts.threshold}`,
        annotations: {
          summary: `{{ $labels.${LABELS.pod} }} on {{ $labels.${LABELS.cluster} }} (${env.name}) restarted ${a.podRestarts.threshold} times or more within ${a.podRestarts.window}`,
          description: `Containers of pod {{ $labels.${LABELS.namespace} }}/{{ $labels.${LABELS.pod} }} on cluster {{ $labels.${LABELS.cluster} }} restarted ${a.podRestarts.threshold} times or more within ${a.podRestarts.window}.`,
        },
      },
  };
  return BUILTIN_ALERTS.flatMap(({ name, severity }) => {
    const rule = build[name]();
    if (!rule) return [];
    return [
      {
        alert: name,
        expr: rule.expr,
        ...(rule.for ? { for: rule.for } : {}),
        labels: { severity, [LABELS.env]: env.name },
        // Object.assign, not `{ ...a, b }`: V8 (Node 20) builds a spread-first object through a slow path.
        annotations: Object.assign({}, rule.annotations, { runbook_url: runbookUrl(model.git, name) }),
      },
    ];
  });
}

/** The built-in rule groups of an environment from its builtinAlertRules (none without apps or enabled alerts). */
export function builtinRuleGroups(env: EnvironmentModel, rules: AlertRule[]): RuleGroup[] {
  return rules.length ? [{ name: `fabric-${env.name}-apps`, rules }] : [];
}

/** The deployed object: rules-sync loads it into this environment's Mimir ruler. */
export function prometheusRule(env: EnvironmentModel, groups: RuleGroup[]) {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: `fabric-alerts-${env.name}`,
      // rules-sync selects rules by this label and loads them into this environment's Mimir.
      labels: { [LABEL_KEYS.environment]: env.name },
    },
    spec: { groups },
  };
}

/**
 * The plain rule file the promtool tests name, written beside them so that
 * `promtool test rules <test file>` runs in place. Its content is the
 * PrometheusRule's `.spec` (compile --verify fails when the two differ); the
 * kustomization does not list it, so it is never deployed.
 */
export const PROMTOOL_RULE_FILE = 'rules.rules.yaml';

export const plainRuleFile = (groups: RuleGroup[]) => ({ groups });
