// Where each string of the spec must reappear, unchanged, in the compiled
// tree: read back from the parsed output (a whole scalar, or a known part of
// a composite value), never by searching the text. A name that comes out
// retyped, escaped twice, truncated or moved fails here.
import { parseAllDocuments } from 'yaml';
import type { RenderedFile } from '../../compiler/emit-types.ts';
import type { Model } from '../../compiler/model/index.ts';
import { CRD_REPO_URL, LABEL_KEYS } from '../../compiler/model/constants.ts';
import type { FabricYaml } from '../../compiler/spec-types.ts';
import type { Violation } from './violation.ts';

type Obj = Record<string, any>;

/** Alloy string literals assigned to `attr` (JSON escapes are a subset of Alloy's, so JSON.parse reads them). */
function alloyStrings(text: string, attr: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(new RegExp(`\\b${attr}\\s*=\\s*("(?:[^"\\\\]|\\\\.)*")`, 'g'))) {
    try {
      out.push(JSON.parse(m[1]));
    } catch {
      out.push(`<unreadable ${m[1]}>`);
    }
  }
  return out;
}

/** Every object below `v` that has the key `key`. */
function holders(v: unknown, key: string): Obj[] {
  if (Array.isArray(v)) return v.flatMap((x) => holders(x, key));
  if (!v || typeof v !== 'object') return [];
  return [...(key in (v as Obj) ? [v as Obj] : []), ...Object.values(v as Obj).flatMap((x) => holders(x, key))];
}

/** What every usage check reads: the spec, its model, the rendered tree parsed on demand, and where to report. */
interface UsageContext {
  spec: FabricYaml;
  model: Model;
  files: RenderedFile[];
  byPath: Map<string, string>;
  docs: (path: string) => Obj[];
  doc: (path: string) => Obj | undefined;
  expect: (ok: boolean, what: string) => void;
  has: (path: string) => boolean;
  g: string;
  envNames: string[];
  clusters: [string, FabricYaml['clusters'][string]][];
  members: [string, FabricYaml['clusters'][string]][];
  monitoring: [string, FabricYaml['clusters'][string]];
  control: [string, FabricYaml['clusters'][string]];
  shared: boolean;
}

export function usageProblems(spec: FabricYaml, model: Model, files: RenderedFile[]): string[] {
  const problems: string[] = [];
  const byPath = new Map(files.map((f) => [f.path, f.contents]));
  const docCache = new Map<string, Obj[]>();
  const docs = (path: string): Obj[] => {
    if (!docCache.has(path)) {
      const text = byPath.get(path);
      docCache.set(
        path,
        text === undefined
          ? []
          : (parseAllDocuments(text) as { toJS(): unknown }[]).map((d) => d.toJS() as Obj).filter(Boolean),
      );
    }
    return docCache.get(path)!;
  };
  const doc = (path: string): Obj | undefined => docs(path)[0];
  const expect = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  const has = (path: string) => byPath.has(path);

  const g = 'gitops/components';
  const envNames = Object.keys(spec.environments);
  const clusters = Object.entries(spec.clusters);
  const members = clusters.filter(([, c]) => c.role === 'member');
  const monitoring = clusters.find(([, c]) => c.role === 'monitoring')!;
  const control = clusters.find(([, c]) => c.role === 'control')!;
  const shared = model.tenancy === 'shared';

  const ctx: UsageContext = {
    spec,
    model,
    files,
    byPath,
    docs,
    doc,
    expect,
    has,
    g,
    envNames,
    clusters,
    members,
    monitoring,
    control,
    shared,
  };
  for (const check of [fleetSelection, clusterUsage, environmentUsage, appUsage, grafanaUsage, gitUsage]) check(ctx);
  return problems;
}

/** The fleet name selects the clusters of every ApplicationSet. */
function fleetSelection(ctx: UsageContext): void {
  const { spec, doc, expect } = ctx;
  for (const file of ['alloy-agents', 'instrumented-apps', 'monitoring-stack']) {
    for (const h of holders(doc(`gitops/argocd-apps/${file}.yaml`), 'matchLabels')) {
      expect(
        h.matchLabels[LABEL_KEYS.fleet] === spec.name,
        `name: ${file}.yaml selects fleet ${JSON.stringify(h.matchLabels[LABEL_KEYS.fleet])}, not ${JSON.stringify(spec.name)}`,
      );
    }
  }
}

/** Clusters: overlays named after them, labels and Alloy external labels carrying the name. */
function clusterUsage(ctx: UsageContext): void {
  const { model, byPath, docs, doc, expect, has, g, clusters, members, monitoring, control } = ctx;
  for (const [name, c] of members) {
    const overlay = `${g}/alloy-agent/overlays/${name}`;
    const pairs = doc(`${overlay}/kustomization.yaml`)?.labels?.[0]?.pairs;
    expect(
      pairs?.[LABEL_KEYS.cluster] === name,
      `cluster ${name}: ${overlay}/kustomization.yaml labels it ${JSON.stringify(pairs?.[LABEL_KEYS.cluster])}`,
    );
    expect(
      pairs?.[LABEL_KEYS.environment] === c.environment,
      `cluster ${name}: its agent is labelled environment ${JSON.stringify(pairs?.[LABEL_KEYS.environment])}, not ${JSON.stringify(c.environment)}`,
    );
    const alloy = byPath.get(`${overlay}/config.alloy`) ?? '';
    const labelled = alloyStrings(alloy, 'cluster');
    expect(
      labelled.length > 0 && labelled.every((s) => s === name),
      `cluster ${name}: config.alloy labels series with cluster ${JSON.stringify(labelled)}`,
    );
    const envs = alloyStrings(alloy, 'env');
    expect(
      envs.length > 0 && envs.every((s) => s === c.environment),
      `cluster ${name}: config.alloy labels series with env ${JSON.stringify(envs)}, not ${JSON.stringify(c.environment)}`,
    );
    expect(
      has(`${g}/namespaces/overlays/${name}/kustomization.yaml`) &&
        has(`${g}/kube-state-metrics/overlays/${name}/kustomization.yaml`),
      `cluster ${name}: namespaces or kube-state-metrics overlay missing`,
    );
    if (c.server !== undefined) {
      const project = docs('gitops/argocd-apps/projects.yaml').find((p) => p.metadata?.name === `env-${c.environment}`);
      const servers = (project?.spec?.destinations ?? []).map((d: Obj) => d.server);
      expect(
        servers.includes(c.server),
        `cluster ${name}: server ${JSON.stringify(c.server)} is not a destination of project env-${c.environment} (${JSON.stringify(servers)})`,
      );
    }
  }
  const [monName, mon] = monitoring;
  const monPairs = doc(`${g}/namespaces/overlays/${monName}/kustomization.yaml`)?.labels?.[0]?.pairs;
  expect(
    monPairs?.[LABEL_KEYS.cluster] === monName,
    `monitoring cluster ${monName}: its namespaces overlay labels it ${JSON.stringify(monPairs?.[LABEL_KEYS.cluster])}`,
  );
  if (mon.server !== undefined) {
    const server = doc('gitops/argocd-apps/alerting-rules.yaml')?.spec?.destination?.server;
    expect(
      server === mon.server,
      `monitoring cluster ${monName}: alerting-rules goes to ${JSON.stringify(server)}, not ${JSON.stringify(mon.server)}`,
    );
  }
  // Contexts are the runner's: the model keeps them, the README names the control cluster's.
  for (const [name, c] of clusters) {
    const context = model.clusters.find((m) => m.name === name)?.context;
    expect(
      context === (c.context ?? name),
      `cluster ${name}: the model's context is ${JSON.stringify(context)}, not ${JSON.stringify(c.context ?? name)}`,
    );
  }
  const controlContext = control[1].context ?? control[0];
  expect(
    (byPath.get('README.md') ?? '').includes(`kubectl --context ${controlContext} `),
    `cluster ${control[0]}: README does not apply with --context ${controlContext}`,
  );
}

/** Environments: rule objects, datasources, backends and generators keyed by the name. */
function environmentUsage(ctx: UsageContext): void {
  const { docs, doc, expect, has, g, envNames, monitoring, shared } = ctx;
  const [monName] = monitoring;
  const datasources: Obj[] = holders(docs(`${g}/monitoring/grafana/overlays/${monName}/datasources.yaml`), 'uid');
  const appsetEnvs = holders(doc('gitops/argocd-apps/alloy-agents.yaml'), 'matchLabels').map(
    (h) => h.matchLabels[LABEL_KEYS.environment],
  );
  for (const env of envNames) {
    const rules = doc(`${g}/alerting-rules/overlays/${env}/rules.yaml`);
    expect(
      rules?.metadata?.labels?.[LABEL_KEYS.environment] === env,
      `environment ${env}: its PrometheusRule is labelled ${JSON.stringify(rules?.metadata?.labels?.[LABEL_KEYS.environment])}`,
    );
    for (const r of holders(rules, 'alert'))
      expect(
        r.labels?.env === env,
        `environment ${env}: alert ${r.alert} carries env ${JSON.stringify(r.labels?.env)}`,
      );
    for (const kind of ['mimir', 'loki', 'tempo'])
      expect(
        datasources.some((d) => d.uid === `${kind}-${env}`),
        `environment ${env}: no datasource uid ${kind}-${env}`,
      );
    if (shared) {
      const tenants = Object.keys(doc(`${g}/monitoring/mimir/overlays/shared/runtime.yaml`)?.overrides ?? {});
      expect(tenants.includes(env), `environment ${env}: not a Mimir tenant (${JSON.stringify(tenants)})`);
      for (const d of datasources.filter((x) => ['mimir', 'loki', 'tempo'].some((kind) => x.uid === `${kind}-${env}`)))
        expect(
          d.secureJsonData?.httpHeaderValue1 === env,
          `environment ${env}: datasource ${d.uid} sends tenant ${JSON.stringify(d.secureJsonData?.httpHeaderValue1)}`,
        );
    } else {
      expect(
        has(`${g}/monitoring/mimir/overlays/${env}/kustomization.yaml`),
        `environment ${env}: no Mimir overlay of its own`,
      );
    }
    expect(appsetEnvs.includes(env), `environment ${env}: no alloy-agents generator selects it`);
  }
}

/** Apps: objects named after them, images and hosts verbatim. */
function appUsage(ctx: UsageContext): void {
  const { spec, doc, expect, has, g, envNames, members } = ctx;
  const appComponents = holders(doc('gitops/argocd-apps/instrumented-apps.yaml'), 'component').map((v) => v.component);
  for (const [name, a] of Object.entries(spec.apps ?? {})) {
    const deployment = doc(`${g}/${name}/base/deployment.yaml`);
    expect(
      deployment?.metadata?.name === name,
      `app ${name}: its Deployment is named ${JSON.stringify(deployment?.metadata?.name)}`,
    );
    const image = deployment?.spec?.template?.spec?.containers?.[0]?.image;
    expect(image === a.image, `app ${name}: image ${JSON.stringify(image)}, not ${JSON.stringify(a.image)}`);
    expect(appComponents.includes(name), `app ${name}: no instrumented-apps generator deploys it`);
    for (const [cluster, c] of members) {
      if (!(a.environments ?? envNames).includes(c.environment!)) continue;
      const dir = `${g}/${name}/overlays/${cluster}`;
      expect(has(`${dir}/kustomization.yaml`), `app ${name}: no overlay for cluster ${cluster}`);
      const host = a.hosts && Object.hasOwn(a.hosts, c.environment!) ? a.hosts[c.environment!] : undefined;
      const ingress = doc(`${dir}/ingress.yaml`);
      if (host === undefined)
        expect(
          !ingress,
          `app ${name}: cluster ${cluster} has an Ingress, but the spec gives no host for ${c.environment}`,
        );
      else
        expect(
          ingress?.spec?.rules?.[0]?.host === host,
          `app ${name}: Ingress host on ${cluster} is ${JSON.stringify(ingress?.spec?.rules?.[0]?.host)}, not ${JSON.stringify(host)}`,
        );
    }
  }
}

/** Grafana: Ingress host and the admin Secret's name. */
function grafanaUsage(ctx: UsageContext): void {
  const { spec, model, doc, expect, g, monitoring } = ctx;
  const [monName] = monitoring;
  const grafanaHost = spec.grafana?.host ?? model.grafana.host;
  const ingressHost = doc(`${g}/monitoring/grafana/overlays/${monName}/ingress.yaml`)?.spec?.rules?.[0]?.host;
  expect(
    ingressHost === grafanaHost,
    `grafana.host: Ingress host is ${JSON.stringify(ingressHost)}, not ${JSON.stringify(grafanaHost)}`,
  );
  const secretRefs = holders(doc(`${g}/monitoring/grafana/base/deployment.yaml`), 'secretKeyRef').map(
    (h) => h.secretKeyRef.name,
  );
  const adminSecret = spec.grafana?.adminSecret ?? model.grafana.adminSecret;
  expect(
    secretRefs.length > 0 && secretRefs.every((s) => s === adminSecret),
    `grafana.adminSecret: the Deployment reads ${JSON.stringify(secretRefs)}, not ${JSON.stringify(adminSecret)}`,
  );
}

/** Git: every ArgoCD source is the spec's repository at its revision under its path, or the pinned CRD repository. */
function gitUsage(ctx: UsageContext): void {
  const { spec, model, files, docs, doc, expect, has, g, members } = ctx;
  const revision = spec.git.revision ?? model.git.revision;
  const prefix = `${spec.git.path ? `${spec.git.path}/` : ''}gitops/`;
  let sources = 0;
  for (const f of files.filter((x) => x.path.startsWith('gitops/argocd-apps/'))) {
    for (const s of holders(docs(f.path), 'repoURL')) {
      if (s.repoURL === CRD_REPO_URL) continue;
      sources++;
      expect(
        s.repoURL === spec.git.repoURL,
        `git.repoURL: ${f.path} reads ${JSON.stringify(s.repoURL)}, not ${JSON.stringify(spec.git.repoURL)}`,
      );
      expect(
        s.targetRevision === revision,
        `git.revision: ${f.path} tracks ${JSON.stringify(s.targetRevision)}, not ${JSON.stringify(revision)}`,
      );
      expect(
        typeof s.path === 'string' && (s.path.startsWith(prefix) || s.path === '{{.path}}'),
        `git.path: ${f.path} syncs ${JSON.stringify(s.path)}, outside ${prefix}`,
      );
    }
    for (const p of holders(docs(f.path), 'sourceRepos'))
      expect(
        p.sourceRepos.includes(spec.git.repoURL),
        `git.repoURL: a project in ${f.path} does not allow ${JSON.stringify(spec.git.repoURL)}`,
      );
    // Every literal path ArgoCD syncs is a kustomization in the tree.
    for (const s of holders(docs(f.path), 'path')) {
      if (typeof s.path !== 'string' || s.path.includes('{{') || s.repoURL === CRD_REPO_URL) continue;
      const rel = s.path.startsWith(prefix) ? `gitops/${s.path.slice(prefix.length)}` : s.path;
      expect(
        has(`${rel}/kustomization.yaml`),
        `${f.path}: ArgoCD path ${JSON.stringify(s.path)} has no kustomization in the tree`,
      );
    }
  }
  expect(sources > 0, 'git.repoURL: no ArgoCD source reads the repository');
  // Templated ApplicationSet paths: each generated (component, cluster) pair is an overlay.
  for (const file of ['alloy-agents', 'instrumented-apps']) {
    for (const gen of holders(doc(`gitops/argocd-apps/${file}.yaml`), 'clusters')) {
      const env = gen.clusters?.selector?.matchLabels?.[LABEL_KEYS.environment];
      const component = gen.clusters?.values?.component;
      for (const [cluster] of members.filter(([, c]) => c.environment === env)) {
        expect(
          has(`${g}/${component}/overlays/${cluster}/kustomization.yaml`),
          `${file}.yaml: generates ${component} for ${cluster}, which has no overlay`,
        );
      }
    }
  }
}

/** Go-template fields (`{{.name}}`, `{{.values.component}}`) filled from a generator's parameters. */
const expand = (template: string, params: Obj) =>
  template.replace(/\{\{\s*\.([A-Za-z0-9_.]+)\s*\}\}/g, (_, path: string) =>
    String(path.split('.').reduce<any>((o, k) => o?.[k], params)),
  );

/**
 * The Applications ArgoCD will hold, expanded from the ApplicationSets the way
 * its cluster, list and matrix generators do (clusters carry the labels the
 * runner registers them with). Names are global in the argocd namespace: two
 * equal ones make two ApplicationSets fight over one Application.
 */
export function applicationNameProblems(model: Model, files: RenderedFile[]): Violation[] {
  const names = new Map<string, string>();
  const problems: Violation[] = [];
  const generate = (gen: Obj): Obj[] => {
    if (gen.clusters) {
      const want: Obj = gen.clusters.selector?.matchLabels ?? {};
      return model.clusters
        .filter((c) => Object.entries(want).every(([k, v]) => c.argocdLabels[k] === v))
        .map((c) => ({ name: c.name, server: c.server, values: gen.clusters.values ?? {} }));
    }
    if (gen.list) return gen.list.elements ?? [];
    if (gen.matrix)
      return (gen.matrix.generators as Obj[])
        .map(generate)
        .reduce<Obj[]>((acc, ps) => acc.flatMap((a) => ps.map((p) => ({ ...a, ...p }))), [{}]);
    return [];
  };
  for (const f of files.filter((x) => x.path.startsWith('gitops/argocd-apps/') && x.path.endsWith('.yaml'))) {
    for (const d of parseAllDocuments(f.contents)
      .map((x) => x.toJS() as Obj)
      .filter(Boolean)) {
      if (d.kind === 'ApplicationSet' && !Array.isArray(d.spec?.generators)) {
        problems.push({
          invariant: 'argocd-appset-shape',
          detail: `${f.path}: ApplicationSet ${d.metadata?.name} has generators ${JSON.stringify(d.spec?.generators)}, not a list`,
        });
        continue;
      }
      const apps =
        d.kind === 'Application'
          ? [String(d.metadata?.name)]
          : d.kind === 'ApplicationSet'
            ? (d.spec.generators as Obj[])
                .flatMap(generate)
                .map((p) => expand(String(d.spec.template.metadata.name), p))
            : [];
      for (const app of apps) {
        const owner = `${f.path} (${d.metadata?.name})`;
        if (names.has(app))
          problems.push({
            invariant: 'argocd-application-collision',
            detail: `Application ${app} is generated by ${names.get(app)} and by ${owner}`,
          });
        else names.set(app, owner);
      }
    }
  }
  // The ApplicationSets create exactly the Applications of the model's deployments, each once.
  const deployed = [...new Set(model.deployments.map((d) => d.application))].sort();
  const generated = [...names.keys()].sort();
  if (deployed.length !== model.deployments.length)
    problems.push({
      invariant: 'deployments-unique',
      detail: 'two deployments of the model share an Application name',
    });
  if (deployed.join('\n') !== generated.join('\n'))
    problems.push({
      invariant: 'deployments-generated',
      detail: `the ApplicationSets create [${generated.join(', ')}], the model's deployments are [${deployed.join(', ')}]`,
    });
  return problems;
}

/** URLs a valid spec gives are URLs to whoever reads them (git, ArgoCD): they parse, ports included. */
export function urlProblems(spec: FabricYaml): Violation[] {
  const urls: [string, string][] = [
    ['git.repoURL', spec.git.repoURL],
    ...Object.entries(spec.clusters)
      .filter(([, c]) => c.server !== undefined)
      .map(([n, c]) => [`clusters.${n}.server`, c.server!] as [string, string]),
  ];
  const out: Violation[] = [];
  for (const [where, url] of urls) {
    if (/^git@/.test(url)) continue; // scp-like syntax, not a URL
    try {
      new URL(url);
    } catch {
      out.push({
        invariant: 'spec-url-invalid',
        detail: `${where}: ${JSON.stringify(url)} is accepted but is not a URL`,
      });
    }
  }
  return out;
}
