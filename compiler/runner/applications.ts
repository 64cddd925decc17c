// Which ArgoCD Applications a run must end with, and how far the live ones
// are. The names are the model's deployments (deployedApplications); the
// compiled ApplicationSets (gitops/argocd-apps) are evaluated over the cluster
// Secrets fabric registers, the way the ApplicationSet controller does, and
// the plan refuses to start when the two differ (the templates and the model
// disagree). A generator or template expression this evaluator does not know
// is an error, never a guess.
import { parseAllDocuments, parse } from 'yaml';
import type { RenderedFile } from '../emit-types.ts';
import type { Model } from '../model/index.ts';

export interface RegisteredCluster {
  name: string;
  server: string;
  labels: Record<string, string>;
}

type Params = Record<string, unknown>;
type Json = Record<string, any>;

const APPS_DIR = 'gitops/argocd-apps';

export class PredictionError extends Error {}

/** The Application names the model's deployments give, sorted. */
export const deployedApplications = (model: Model): string[] =>
  [...new Set(model.deployments.map((d) => d.application))].sort();

export function expectedApplications(files: RenderedFile[], clusters: RegisteredCluster[]): string[] {
  const byPath = new Map(files.map((f) => [f.path, f.contents]));
  const kustomization = byPath.get(`${APPS_DIR}/kustomization.yaml`);
  if (kustomization === undefined)
    throw new PredictionError(`${APPS_DIR}/kustomization.yaml is missing from the compiled tree`);
  const names: string[] = [];
  for (const resource of (parse(kustomization) as Json).resources ?? []) {
    const text = byPath.get(`${APPS_DIR}/${resource}`);
    if (text === undefined)
      throw new PredictionError(`${APPS_DIR}/${resource} is listed in the kustomization but not compiled`);
    for (const doc of parseAllDocuments(text).map((d) => d.toJS() as Json | null)) {
      if (doc?.kind === 'Application') names.push(doc.metadata.name);
      if (doc?.kind === 'ApplicationSet') names.push(...applicationSetNames(doc, clusters));
    }
  }
  return [...new Set(names)].sort();
}

function applicationSetNames(appSet: Json, clusters: RegisteredCluster[]): string[] {
  const where = `ApplicationSet ${appSet.metadata?.name}`;
  if (appSet.spec?.goTemplate !== true)
    throw new PredictionError(`${where}: only goTemplate ApplicationSets can be predicted`);
  const template = appSet.spec.template?.metadata?.name;
  if (typeof template !== 'string') throw new PredictionError(`${where}: template.metadata.name is not a string`);
  const params = (appSet.spec.generators as Json[]).flatMap((g) => generate(g, clusters, where));
  return params.map((p) => renderGoTemplate(template, p, where));
}

function generate(generator: Json, clusters: RegisteredCluster[], where: string): Params[] {
  const kinds = Object.keys(generator).filter((k) => k !== 'selector');
  if (kinds.length !== 1)
    throw new PredictionError(`${where}: a generator must have exactly one kind, found ${kinds.join(', ') || 'none'}`);
  const [kind] = kinds;
  const g = generator[kind] ?? {};
  switch (kind) {
    case 'list':
      return (g.elements ?? []) as Params[];
    case 'clusters':
      return clusters
        .filter((c) => selects(g.selector, c.labels, where))
        .map((c) => ({
          name: c.name,
          nameNormalized: c.name,
          server: c.server,
          metadata: { labels: c.labels, annotations: {} },
          values: g.values ?? {},
        }));
    case 'matrix': {
      const children = g.generators as Json[];
      if (children?.length !== 2)
        throw new PredictionError(`${where}: a matrix generator needs exactly two generators`);
      const [a, b] = children.map((child) => generate(child, clusters, where));
      return a.flatMap((pa) => b.map((pb) => ({ ...pa, ...pb })));
    }
    default:
      throw new PredictionError(`${where}: the ${kind} generator is not predicted by fabric`);
  }
}

function selects(selector: Json | undefined, labels: Record<string, string>, where: string): boolean {
  if (selector?.matchExpressions)
    throw new PredictionError(`${where}: matchExpressions selectors are not predicted by fabric`);
  return Object.entries((selector?.matchLabels ?? {}) as Record<string, string>).every(([k, v]) => labels[k] === v);
}

/** `{{.a.b}}` and `{{index .a "k"}}`, the two forms fabric's templates use. */
function renderGoTemplate(template: string, params: Params, where: string): string {
  const lookup = (path: string) =>
    path
      .split('.')
      .filter(Boolean)
      .reduce<unknown>((o, k) => (o as Json | undefined)?.[k], params);
  return template.replace(/\{\{-?\s*(.*?)\s*-?\}\}/g, (_, expr: string) => {
    const dotted = /^\.([A-Za-z0-9_.]+)$/.exec(expr);
    const indexed = /^index\s+\.([A-Za-z0-9_.]+)\s+"([^"]+)"$/.exec(expr);
    const value = dotted
      ? lookup(dotted[1])
      : indexed
        ? (lookup(indexed[1]) as Json | undefined)?.[indexed[2]]
        : undefined;
    // missingkey=error, as the generated ApplicationSets ask of ArgoCD.
    if (value === undefined || value === null)
      throw new PredictionError(`${where}: cannot evaluate {{${expr}}} in ${JSON.stringify(template)}`);
    return String(value);
  });
}

export interface AppStatus {
  name: string;
  sync: string;
  health: string;
  /** The commit ArgoCD last compared against (status.sync.revision). */
  revision?: string;
  /** Why it is not there yet: conditions, the last operation, unhealthy resources. */
  message?: string;
}

/** Applications from `kubectl get applications.argoproj.io -o json`. */
export function parseApplications(listJson: string): AppStatus[] {
  const list = JSON.parse(listJson) as { items?: Json[] };
  return (list.items ?? [])
    .map((app) => {
      const status = app.status ?? {};
      const unhealthy = ((status.resources ?? []) as Json[])
        .filter((r) => r.health && r.health.status !== 'Healthy')
        .map((r) => `${r.kind}/${r.name} ${r.health.status}${r.health.message ? `: ${r.health.message}` : ''}`);
      const messages = [
        ...((status.conditions ?? []) as Json[]).map((c) => `${c.type}: ${c.message}`),
        ...(status.operationState?.phase && status.operationState.phase !== 'Succeeded'
          ? [`sync ${status.operationState.phase}: ${status.operationState.message ?? ''}`.trim()]
          : []),
        ...unhealthy.slice(0, 3),
      ];
      return {
        name: app.metadata?.name,
        sync: status.sync?.status ?? 'Unknown',
        health: status.health?.status ?? 'Unknown',
        ...(typeof status.sync?.revision === 'string' ? { revision: status.sync.revision } : {}),
        ...(messages.length ? { message: messages.join('; ') } : {}),
      };
    })
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** One Application's state in a line: `OutOfSync/Progressing at 1a2b3c4d5e6f (why)`. */
export function describeApp(a: AppStatus, revision?: string): string {
  const at = a.revision ? ` at ${a.revision.slice(0, 12)}` : '';
  const behind = revision && a.revision !== revision ? `, not yet ${revision.slice(0, 12)}` : '';
  return `${a.sync}/${a.health}${at}${behind}${a.message ? ` (${a.message})` : ''}`;
}

export interface HealthReport {
  ready: string[];
  pending: AppStatus[];
  missing: string[];
  /** Applications ArgoCD has that fabric did not predict (a label mismatch shows here). */
  unexpected: string[];
}

/**
 * Synced and Healthy, and (when the run knows the commit it pushed) at that
 * commit: Synced/Healthy at the previous revision is not the change deployed.
 */
export const isReady = (a: AppStatus, revision?: string) =>
  a.sync === 'Synced' && a.health === 'Healthy' && (revision === undefined || a.revision === revision);

export function healthReport(expected: string[], live: AppStatus[], revision?: string): HealthReport {
  const byName = new Map(live.map((a) => [a.name, a]));
  const expectedSet = new Set(expected);
  return {
    ready: expected.filter((n) => byName.has(n) && isReady(byName.get(n)!, revision)),
    pending: expected.filter((n) => byName.has(n) && !isReady(byName.get(n)!, revision)).map((n) => byName.get(n)!),
    missing: expected.filter((n) => !byName.has(n)),
    unexpected: live.map((a) => a.name).filter((n) => !expectedSet.has(n)),
  };
}
