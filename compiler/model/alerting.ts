// Notifications: each environment's receivers and route (top-level alerting,
// overridden by environments.<env>.alerting), and the Alertmanager fallback
// config of each backend set's Mimir. Mimir runs the fallback config for every
// tenant that has not uploaded one, and reads it with upstream Alertmanager's
// loader, which accepts `*_file` settings (docs/alerting.md): so secrets stay
// in Kubernetes Secrets, mounted into Mimir, and the config holds only paths.
import type { FabricYaml } from '../spec-types.ts';
import { ALERTMANAGER_SECRETS_DIR } from './constants.ts';
import type {
  AlertingModel,
  AlertmanagerModel,
  BackendSet,
  EnvironmentModel,
  ReceiverModel,
  RouteModel,
} from './types.ts';

type Alerting = NonNullable<FabricYaml['alerting']>;
type SpecRoute = NonNullable<NonNullable<Alerting['route']>['routes']>[number];

/** The default grouping, read from the schema by the caller. */
export function alertingFor(spec: FabricYaml, env: string, groupByDefault: string[]): AlertingModel | undefined {
  const top = spec.alerting;
  const own = spec.environments[env].alerting;
  const route = own?.route ?? top?.route;
  if (!route) return undefined;
  const receivers = { ...(top?.receivers ?? {}), ...(own?.receivers ?? {}) };
  return {
    receivers: Object.keys(receivers)
      .sort()
      .map((name) => receiverModel(name, receivers[name])),
    route: {
      receiver: route.receiver,
      // Order does not matter to Alertmanager's grouping; sorted, the output does not depend on it either.
      groupBy: [...(route.groupBy ?? groupByDefault)].sort(),
      match: {},
      continue: false,
      routes: (route.routes ?? []).map(routeModel),
    },
  };
}

type SpecReceiver = NonNullable<Alerting['receivers']>[string];
const ref = (r: { secret: string; key: string }) => ({ secret: r.secret, key: r.key });

/** Fields in a fixed order: the model (and the output) must not depend on the order of the spec's keys. */
function receiverModel(name: string, r: SpecReceiver): ReceiverModel {
  const out: ReceiverModel = { name };
  if (r.pagerduty) out.pagerduty = { routingKey: ref(r.pagerduty.routingKey) };
  if (r.slack) out.slack = { ...(r.slack.channel ? { channel: r.slack.channel } : {}), url: ref(r.slack.url) };
  if (r.webhook) out.webhook = { url: ref(r.webhook.url) };
  if (r.email)
    out.email = {
      to: r.email.to,
      from: r.email.from,
      smarthost: r.email.smarthost,
      ...(r.email.password ? { password: ref(r.email.password) } : {}),
    };
  return out;
}

function routeModel(r: SpecRoute): RouteModel {
  return {
    receiver: r.receiver,
    match: Object.fromEntries(Object.entries(r.match ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    continue: r.continue ?? false,
    routes: (r.routes ?? []).map(routeModel),
  };
}

/** The mounted file of a Secret key. */
export const secretPath = (ref: { secret: string; key: string }) =>
  `${ALERTMANAGER_SECRETS_DIR}/${ref.secret}/${ref.key}`;

/** Secrets a receiver reads. */
function secretsOf(r: ReceiverModel): string[] {
  return [r.pagerduty?.routingKey, r.slack?.url, r.webhook?.url, r.email?.password]
    .filter((x): x is { secret: string; key: string } => x !== undefined)
    .map((x) => x.secret);
}

/** A receiver in Alertmanager's shape, with paths instead of secrets. */
function receiverConfig(r: ReceiverModel, name: string): Record<string, unknown> {
  const out: Record<string, unknown> = { name };
  if (r.pagerduty) out.pagerduty_configs = [{ routing_key_file: secretPath(r.pagerduty.routingKey) }];
  if (r.slack)
    out.slack_configs = [
      { api_url_file: secretPath(r.slack.url), ...(r.slack.channel ? { channel: r.slack.channel } : {}) },
    ];
  if (r.webhook) out.webhook_configs = [{ url_file: secretPath(r.webhook.url) }];
  if (r.email)
    out.email_configs = [
      {
        to: r.email.to,
        from: r.email.from,
        smarthost: r.email.smarthost,
        ...(r.email.password ? { auth_username: r.email.from, auth_password_file: secretPath(r.email.password) } : {}),
      },
    ];
  return out;
}

/** `k="v"` with the value quoted as Alertmanager's matcher parser reads it. */
const matcher = (k: string, v: string) => `${k}=${JSON.stringify(v)}`;

function routeConfig(r: RouteModel, nameOf: (receiver: string) => string): Record<string, unknown> {
  return {
    receiver: nameOf(r.receiver),
    ...(Object.keys(r.match).length > 0 ? { matchers: Object.entries(r.match).map(([k, v]) => matcher(k, v)) } : {}),
    ...(r.continue ? { continue: true } : {}),
    ...(r.routes.length > 0 ? { routes: r.routes.map((c) => routeConfig(c, nameOf)) } : {}),
  };
}

/** Without any receiver configured, alerts go to an empty receiver (Mimir's own default does the same). */
const NO_RECEIVER = 'default';

/** A critical alert silences the warning of the same alert and environment. */
const INHIBIT_RULES = [
  { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['alertname', 'env'] },
];

/**
 * The fallback config of one Mimir. Isolated: the environment's tree is the
 * top route. Shared: one Mimir serves every environment's tenant with this one
 * file, so each environment's tree hangs under an `env` matcher (every
 * generated rule carries a static `env` label), and a receiver name defined
 * differently by two environments is suffixed with the environment.
 */
export function alertmanagerFor(set: BackendSet, environments: EnvironmentModel[]): AlertmanagerModel {
  const envs = environments.filter((e) => set.environments.includes(e.name) && e.alerting);
  if (envs.length === 0)
    return { config: { route: { receiver: NO_RECEIVER }, receivers: [{ name: NO_RECEIVER }] }, secrets: [] };
  const definitions = new Map<string, Set<string>>();
  for (const e of envs)
    for (const r of e.alerting!.receivers)
      definitions.set(r.name, (definitions.get(r.name) ?? new Set()).add(JSON.stringify(r)));
  const nameIn = (env: string) => (receiver: string) =>
    (definitions.get(receiver)?.size ?? 0) > 1 ? `${receiver}-${env}` : receiver;
  const receivers = new Map<string, Record<string, unknown>>();
  const secrets = new Set<string>();
  for (const e of envs)
    for (const r of e.alerting!.receivers) {
      receivers.set(nameIn(e.name)(r.name), receiverConfig(r, nameIn(e.name)(r.name)));
      for (const s of secretsOf(r)) secrets.add(s);
    }
  const isolated = set.key !== 'shared';
  let route: Record<string, unknown>;
  if (isolated) {
    const { route: r } = envs[0].alerting!;
    const top = routeConfig(r, nameIn(envs[0].name));
    route = { receiver: top.receiver, group_by: r.groupBy, ...top };
  } else {
    if (!receivers.has(NO_RECEIVER)) receivers.set(NO_RECEIVER, { name: NO_RECEIVER });
    route = {
      receiver: NO_RECEIVER,
      routes: envs.map((e) => {
        const child = routeConfig({ ...e.alerting!.route, match: { env: e.name } }, nameIn(e.name));
        return { receiver: child.receiver, group_by: e.alerting!.route.groupBy, ...child };
      }),
    };
  }
  return {
    config: {
      route,
      inhibit_rules: INHIBIT_RULES,
      receivers: [...receivers.keys()].sort().map((k) => receivers.get(k)!),
    },
    secrets: [...secrets].sort(),
  };
}
