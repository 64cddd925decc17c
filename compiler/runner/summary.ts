// What a user came for, once the fleet runs: where Grafana, ArgoCD and the
// apps are, how to log in (the command that reads a password, never the
// password), and what to do next. `fabric info` prints the same facts.
import { NAMESPACES, PORTS, type Model } from '../model/index.ts';
import { displayArgv, kubectl } from './tools.ts';

export interface Endpoint {
  what: string;
  url: string;
  note?: string;
  /** For app endpoints: the app and environment, so `fabric traffic --env` can pick them. */
  app?: string;
  env?: string;
}

export function endpoints(model: Model): Endpoint[] {
  const mon = model.monitoring;
  const list: Endpoint[] = [
    { what: 'Grafana', url: model.grafana.url },
    {
      what: 'Grafana (ingress)',
      url: `http://${model.grafana.host}`,
      note: `resolve ${model.grafana.host} to ${mon.ip}`,
    },
  ];
  for (const app of model.apps) {
    for (const env of model.environments.filter((e) => app.environments.includes(e.name))) {
      for (const member of model.clusters.filter((c) => env.memberClusters.includes(c.name))) {
        if (app.nodePort && member.ip)
          list.push({
            what: `${app.name} on ${member.name}`,
            url: `http://${member.ip}:${app.nodePort}`,
            app: app.name,
            env: env.name,
          });
        const host = app.hosts[env.name];
        if (host)
          list.push({
            what: `${app.name} on ${member.name} (ingress)`,
            url: `http://${host}`,
            note: `resolve ${host} to ${member.ip ?? member.name}`,
          });
      }
    }
  }
  return list;
}

/** The command that prints one key of a Secret (shown, never run by fabric for the user). */
export function secretReadCommand(context: string, ns: string, secret: string, key: string): string {
  return `${displayArgv(kubectl(context, '-n', ns, 'get', 'secret', secret, '-o', `jsonpath={.data.${key.replace(/\./g, '\\.')}}`))} | base64 -d`;
}

export interface RunSummary {
  grafana: { url: string; portForward: string; user: string; password: string };
  argocd: { portForward: string; user: string; password: string };
  apps: { what: string; url: string }[];
  next: string[];
}

export function runSummary(model: Model, specArg: string): RunSummary {
  return {
    grafana: {
      url: model.grafana.url,
      portForward: `fabric port-forward grafana${specArg}  ->  http://localhost:${PORTS.grafana}`,
      user: 'admin',
      password: secretReadCommand(
        model.monitoring.context,
        NAMESPACES.monitoring,
        model.grafana.adminSecret,
        'admin-password',
      ),
    },
    argocd: {
      portForward: `fabric port-forward argocd${specArg}  ->  https://localhost:${PORTS.argocdLocal}`,
      user: 'admin',
      password: secretReadCommand(model.control.context, NAMESPACES.argocd, 'argocd-initial-admin-secret', 'password'),
    },
    apps: endpoints(model)
      .filter((e) => e.app)
      .map((e) => ({ what: e.what, url: e.url })),
    next: [
      `fabric status${specArg}    what runs: clusters, Applications, endpoints`,
      `fabric check-routing${specArg}    check that each cluster's telemetry reaches its own environment only (alias: fabric verify)`,
      `fabric traffic${specArg} --duration 60s    send requests to the apps, then look at Grafana`,
    ],
  };
}

export function formatSummary(s: RunSummary): string[] {
  return [
    '',
    `Grafana  ${s.grafana.url}   or   ${s.grafana.portForward}`,
    `  user ${s.grafana.user}, password: ${s.grafana.password}`,
    `ArgoCD   ${s.argocd.portForward}`,
    `  user ${s.argocd.user}, password: ${s.argocd.password}`,
    ...(s.apps.length ? ['Apps', ...s.apps.map((a) => `  ${a.what.padEnd(36)} ${a.url}`)] : []),
    'Next',
    ...s.next.map((n) => `  ${n}`),
  ];
}
