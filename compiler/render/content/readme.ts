// The generated repository's README: layout, topology and every endpoint.
import { BUILTIN_ALERTS, runbookAnchor } from '../../model/builtin-alerts.ts';
import { NAMESPACES, VERSIONS, type Model } from '../../model/index.ts';

const id = (s: string) => s.replace(/[^a-zA-Z0-9]/g, '_');

/** `ruleTests`: the tree's promtool test files, for the command that runs each in place. */
export function readme(model: Model, template: (ctx: object) => string, ruleTests: string[] = []): string {
  return template({
    alerts: builtinAlerts(model),
    ruleTests,
    model,
    diagram: diagram(model),
    layout: layout(model),
    endpoints: endpoints(model),
    argocdVersion: VERSIONS.argocd,
    notificationSecrets: notificationSecrets(model),
  });
}

/** The runbook of each built-in alert some environment has (an environment with apps, the alert enabled). */
function builtinAlerts(model: Model) {
  return BUILTIN_ALERTS.flatMap((a) => {
    const envs = model.environments.filter((e) => e.apps.length > 0 && e.alerts[a.setting]).map((e) => e.name);
    if (envs.length === 0) return [];
    return [{ ...a, anchor: runbookAnchor(a.name), environments: envs.join(', ') }];
  });
}

/** The Secrets the Alertmanager receivers read, with their keys (the user creates them; docs/alerting.md). */
function notificationSecrets(model: Model): { secret: string; keys: string }[] {
  const keys = new Map<string, Set<string>>();
  for (const env of model.environments)
    for (const r of env.alerting?.receivers ?? [])
      for (const ref of [r.pagerduty?.routingKey, r.slack?.url, r.webhook?.url, r.email?.password])
        if (ref) keys.set(ref.secret, (keys.get(ref.secret) ?? new Set()).add(ref.key));
  return [...keys.keys()].sort().map((secret) => ({ secret, keys: [...keys.get(secret)!].sort().join('`, `') }));
}

/** The topology as a Mermaid graph. */
function diagram(model: Model): string[] {
  const diagram: string[] = [];
  diagram.push(`${id(model.control.name)}["${model.control.name}<br/>ArgoCD"]`);
  diagram.push(`subgraph ${id(model.monitoring.name)}["${model.monitoring.name}"]`);
  for (const set of model.backendSets) diagram.push(`  ${id(set.key)}_backends["Mimir, Loki, Tempo (${set.key})"]`);
  diagram.push('  grafana["Grafana"]');
  diagram.push('end');
  for (const c of model.clusters.filter((c) => c.role === 'member')) {
    const env = model.environments.find((e) => e.name === c.environment)!;
    diagram.push(`${id(c.name)}["${c.name}<br/>${env.name}: apps + Alloy"]`);
    diagram.push(`${id(c.name)} -->|OTLP, remote write| ${id(env.backends.key)}_backends`);
    diagram.push(`${id(model.control.name)} -.->|sync| ${id(c.name)}`);
  }
  diagram.push(`${id(model.control.name)} -.->|sync| ${id(model.monitoring.name)}`);
  for (const set of model.backendSets) diagram.push(`grafana --> ${id(set.key)}_backends`);
  return diagram;
}

/** What each directory of the tree holds and where it is deployed. */
function layout(model: Model) {
  const memberNames = model.clusters
    .filter((c) => c.role === 'member')
    .map((c) => c.name)
    .join(', ');
  return [
    {
      path: 'gitops/argocd-apps/',
      what: 'AppProjects, ApplicationSets and the alerting-rules Application; apply this once',
      where: model.control.name,
    },
    {
      path: 'gitops/components/namespaces/',
      what: 'namespaces with default-deny NetworkPolicies and the flows the pipeline needs',
      where: `${memberNames}, ${model.monitoring.name}`,
    },
    {
      path: 'gitops/components/alloy-agent/',
      what: `Alloy DaemonSet (namespace ${NAMESPACES.agents}) and its config per cluster`,
      where: memberNames,
    },
    {
      path: 'gitops/components/kube-state-metrics/',
      what: 'kube-state-metrics, scraped by the local Alloy',
      where: memberNames,
    },
    ...model.apps.map((a) => ({
      path: `gitops/components/${a.name}/`,
      what: `the app ${a.name} (namespace ${NAMESPACES.apps})`,
      where: model.clusters
        .filter((c) => c.role === 'member' && a.environments.includes(c.environment!))
        .map((c) => c.name)
        .join(', '),
    })),
    {
      path: 'gitops/components/monitoring/{mimir,loki,tempo}/',
      what: `backends, one overlay per ${model.tenancy === 'shared' ? 'shared set (a tenant per environment)' : 'environment'}`,
      where: model.monitoring.name,
    },
    {
      path: 'gitops/components/monitoring/grafana/',
      what: 'Grafana, datasources per environment, dashboards',
      where: model.monitoring.name,
    },
    {
      path: 'gitops/components/monitoring/rules-sync/',
      what: "Alloy loading each environment's PrometheusRules into its Mimir ruler",
      where: model.monitoring.name,
    },
    {
      path: 'gitops/components/alerting-rules/',
      what: 'PrometheusRules and their promtool unit tests per environment',
      where: model.monitoring.name,
    },
  ];
}

/** Every address a user or a member cluster reaches. */
function endpoints(model: Model) {
  const endpoints: { what: string; env: string; address: string; port: string; host: string }[] = [];
  for (const set of model.backendSets) {
    const env = set.key;
    endpoints.push({
      what: 'Mimir remote write',
      env,
      address: set.mimir.externalUrls.push,
      port: String(set.mimir.nodePort),
      host: '',
    });
    endpoints.push({
      what: 'Loki OTLP',
      env,
      address: set.loki.externalUrls.otlp,
      port: String(set.loki.nodePort),
      host: '',
    });
    endpoints.push({
      what: 'Tempo OTLP gRPC',
      env,
      address: set.tempo.external,
      port: String(set.tempo.nodePort),
      host: '',
    });
  }
  endpoints.push({
    what: 'Grafana',
    env: 'all',
    address: model.grafana.url,
    port: String(model.grafana.nodePort),
    host: model.grafana.host,
  });
  for (const app of model.apps) {
    for (const c of model.clusters.filter((c) => c.role === 'member' && app.environments.includes(c.environment!))) {
      endpoints.push({
        what: app.name,
        env: c.environment!,
        address:
          app.nodePort && c.ip ? `http://${c.ip}:${app.nodePort}` : `${app.name}.${NAMESPACES.apps}.svc:${app.port}`,
        port: app.nodePort ? String(app.nodePort) : String(app.port),
        host: app.hosts[c.environment!] ?? '',
      });
    }
  }
  for (const c of model.clusters)
    endpoints.push({
      what: `API server of ${c.name} (${c.role})`,
      env: c.environment ?? '',
      address: c.server,
      port: '',
      host: '',
    });
  return endpoints;
}
