// The built-in alerts as people meet them: name, severity, what each watches
// and its runbook (the generated README's "Alerts" section), and the address
// every rule's runbook_url points at. The rules themselves are built in
// render/content/rules.ts from the same table.
import type { AlertModel, Model } from './types.ts';

export type BuiltinAlertName = 'HighErrorRate' | 'HighLatencyP95' | 'LowRequestRate' | 'ServiceDown' | 'PodRestarting';

export interface BuiltinAlert {
  name: BuiltinAlertName;
  /** The spec's alerts.<setting> that configures it. */
  setting: keyof AlertModel;
  severity: 'critical' | 'warning';
  /** What it reads, for the README. */
  watches: string;
  /** First steps when it fires, for the README. */
  runbook: string[];
}

/** In the order the rules are written. */
export const BUILTIN_ALERTS: readonly BuiltinAlert[] = [
  {
    name: 'HighErrorRate',
    setting: 'errorRate',
    severity: 'critical',
    watches: 'the share of HTTP requests answered with a 5xx status (http_server_request_duration_seconds_count)',
    runbook: [
      'Open the RED dashboard in Grafana for the service and cluster the alert names, and see which routes fail.',
      'Read the service logs in Loki for 5xx responses, and open a failing trace from them.',
      'Check what changed: a rollout of the app (its ArgoCD Application) or of a service it calls.',
    ],
  },
  {
    name: 'HighLatencyP95',
    setting: 'latencyP95',
    severity: 'warning',
    watches: 'the 95th percentile of http.server.request.duration (http_server_request_duration_seconds_bucket)',
    runbook: [
      'Open the RED dashboard for the service and cluster, and an exemplar or slow trace from the latency panel.',
      "Check the pods' CPU and memory limits and whether the service waits on a dependency.",
    ],
  },
  {
    name: 'LowRequestRate',
    setting: 'lowRequestRate',
    severity: 'warning',
    watches: 'the request rate of the service, probe requests left out (http_server_request_duration_seconds_count)',
    runbook: [
      'Check that the Ingress or Service in front of the app still routes to it, and that its callers run.',
      'A service nobody calls on purpose (a quiet environment) needs a lower threshold or the alert disabled.',
    ],
  },
  {
    name: 'ServiceDown',
    setting: 'serviceDown',
    severity: 'critical',
    watches: 'the target_info series every OpenTelemetry SDK sends with its metrics, per service and cluster',
    runbook: [
      'Check that the app pods run in namespace apps of the cluster the alert names (kubectl get pods).',
      'Check that the Alloy agent on their nodes is ready, and that it reaches the ingest gateway (its logs).',
    ],
  },
  {
    name: 'PodRestarting',
    setting: 'podRestarts',
    severity: 'warning',
    watches: 'container restarts of the pods in namespace apps (kube_pod_container_status_restarts_total)',
    runbook: [
      'kubectl describe the pod the alert names (cluster, namespace, pod) and read the last state of its containers.',
      'Read its previous logs (kubectl logs --previous) for the crash, or raise its memory limit after an OOM kill.',
    ],
  },
];

/** The README heading anchor of an alert, as GitHub and GitLab derive it from `### <name>`. */
export const runbookAnchor = (alert: string) => alert.toLowerCase();

/**
 * The generated README as a web page of the git host: git.readmeURL when the
 * spec gives it, otherwise in the layout of the host (`<repository>/blob/
 * <revision>/<path>/README.md` on GitHub and unknown hosts, `/-/blob/` on a
 * gitlab.* host, `/src/` on bitbucket.org). ssh and scp-style clone URLs are
 * read as the https address of the same repository. A file:// URL (a local
 * repository) has no web page: the README's path in its work tree.
 * (repoURL holds no user name or token: FAB223.)
 */
export function readmeAddress(git: Model['git']): string {
  if (git.readmeURL) return git.readmeURL;
  const file = `${git.path ? `${git.path}/` : ''}README.md`;
  const url = git.repoURL.replace(/\/+$/, '');
  if (url.startsWith('file://')) return `${url}/${file}`;
  const repo = url.replace(/\.git$/, '');
  const scp = /^git@([^:]+):(.*)$/.exec(repo);
  const ssh = /^ssh:\/\/(?:[^@/]+@)?([^/:]+)(?::[0-9]+)?\/(.*)$/.exec(repo);
  const web = scp ? `https://${scp[1]}/${scp[2]}` : ssh ? `https://${ssh[1]}/${ssh[2]}` : repo;
  // The host as written (not new URL(): repoURL may hold characters a URL parser refuses, FAB104 lets them be).
  const host = /^[a-z]+:\/\/([^/:?#]*)/i.exec(web)?.[1] ?? '';
  return `${web}/${fileRoute(host.toLowerCase())}/${git.revision}/${file}`;
}

/** The path segment before `<revision>/<file>` in a host's web view of a file. */
function fileRoute(host: string): string {
  if (host === 'bitbucket.org') return 'src';
  if (host === 'gitlab.com' || host.startsWith('gitlab.')) return '-/blob';
  return 'blob';
}

/** What every built-in rule's runbook_url annotation holds: its section of the generated README. */
export const runbookUrl = (git: Model['git'], alert: string) => `${readmeAddress(git)}#${runbookAnchor(alert)}`;
