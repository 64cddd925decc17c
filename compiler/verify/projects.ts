// AppProjects against the built tree, both ways, the way ArgoCD decides
// (docs/runner.md, "Upstream formats"): every cluster-scoped object an Application syncs, and
// the destination namespace it creates (CreateNamespace=true), must be admitted
// by its project's clusterResourceWhitelist (group, kind and name); and every
// whitelist entry must name one such object: an entry without a name, with a
// glob, or for nothing the project's Applications create admits more than
// needed. The `default` project must be locked down and no Application may use
// it (an Application in `default` would escape every restriction above).
import { apiGroupOf, describeObject, isClusterScoped, isRecord, kindOf, nameOf, type BuiltObject } from './objects.ts';
import { ARGOCD_DEFAULT_PROJECT as DEFAULT_PROJECT } from '../model/constants.ts';
import type { ClusterObjectRef, Finding, UpstreamObjects } from './types.ts';

/** filepath.Match metacharacters: an entry using them admits a pattern, not one object. */
const GLOB = /[*?[\\]/;

const APPS_TARGET = 'gitops/argocd-apps';
const isArgo = (o: Record<string, unknown>, kind: string) => kindOf(o) === kind && apiGroupOf(o) === 'argoproj.io';
const show = (r: ClusterObjectRef) => `${r.kind} ${r.name} (group "${r.group}")`;
const same = (a: ClusterObjectRef, b: ClusterObjectRef) =>
  a.group === b.group && a.kind === b.kind && a.name === b.name;

interface Entry {
  group: string;
  kind: string;
  name?: string;
}

function whitelistOf(project: Record<string, unknown>): Entry[] {
  const spec = isRecord(project.spec) ? project.spec : {};
  const list = Array.isArray(spec.clusterResourceWhitelist) ? spec.clusterResourceWhitelist : [];
  return list.filter(isRecord).map((e) => ({
    group: String(e.group ?? ''),
    kind: String(e.kind ?? ''),
    ...(typeof e.name === 'string' && e.name !== '' ? { name: e.name } : {}),
  }));
}

/** ArgoCD's match for literal entries; an entry without a name matches every name (a glob is reported apart). */
const admits = (e: Entry, r: ClusterObjectRef) =>
  e.group === r.group && e.kind === r.kind && (e.name === undefined || e.name === r.name);

/** The projects that Applications and ApplicationSets of the control target name (templated ones through their generators' values). */
function projectsNamed(o: Record<string, unknown>): string[] {
  const spec = isRecord(o.spec) ? o.spec : {};
  if (isArgo(o, 'Application')) return [String(spec.project ?? '')];
  const template = isRecord(spec.template) && isRecord(spec.template.spec) ? spec.template.spec : {};
  const project = String(template.project ?? '');
  if (!project.includes('{{')) return [project];
  const generators = Array.isArray(spec.generators) ? spec.generators.filter(isRecord) : [];
  return generators.map((g) => {
    const values = isRecord(g.clusters) && isRecord(g.clusters.values) ? g.clusters.values : {};
    return String(values.project ?? '');
  });
}

function checkDefaultProject(project: Record<string, unknown> | undefined): string[] {
  if (!project)
    return [
      `no AppProject "${DEFAULT_PROJECT}": ArgoCD's built-in project stays open to every repository, cluster and kind`,
    ];
  const spec = isRecord(project.spec) ? project.spec : {};
  const empty = (key: string) => !Array.isArray(spec[key]) || spec[key].length === 0;
  const problems = ['sourceRepos', 'destinations', 'clusterResourceWhitelist']
    .filter((key) => !empty(key) || !Array.isArray(spec[key]))
    .map(
      (key) => `AppProject ${DEFAULT_PROJECT} must set spec.${key}: [] (the live default project permits everything)`,
    );
  const blacklist = Array.isArray(spec.namespaceResourceBlacklist) ? spec.namespaceResourceBlacklist : [];
  if (!blacklist.some((e) => isRecord(e) && e.group === '*' && e.kind === '*'))
    problems.push(
      `AppProject ${DEFAULT_PROJECT} must blacklist every namespaced kind (namespaceResourceBlacklist: [{group: "*", kind: "*"}])`,
    );
  return problems;
}

export function checkProjects(
  objects: BuiltObject[],
  upstream: UpstreamObjects[],
  count: (n: number) => void,
): Finding[] {
  const findings: Finding[] = [];
  const error = (file: string, message: string) =>
    findings.push({ check: 'project', file, severity: 'error', message });
  const control = objects.filter((b) => b.target.path === APPS_TARGET).map((b) => b.object);
  const projects = new Map(control.filter((o) => isArgo(o, 'AppProject')).map((o) => [nameOf(o), o]));

  for (const p of checkDefaultProject(projects.get(DEFAULT_PROJECT))) error(APPS_TARGET, p);
  for (const o of control.filter((x) => isArgo(x, 'Application') || isArgo(x, 'ApplicationSet')))
    for (const name of projectsNamed(o)) {
      if (name === '' || name === DEFAULT_PROJECT)
        error(
          APPS_TARGET,
          `${describeObject(o)} uses the project "${name || DEFAULT_PROJECT}": every fabric Application names its own project`,
        );
      else if (!projects.has(name))
        error(APPS_TARGET, `${describeObject(o)} names the project "${name}", which the tree does not define`);
    }

  // What each project's Applications create cluster-wide, and where it is rendered.
  const needed = new Map<string, { ref: ClusterObjectRef; file: string }[]>();
  const need = (project: string, ref: ClusterObjectRef, file: string) => {
    if (!needed.has(project)) needed.set(project, []);
    needed.get(project)!.push({ ref, file });
  };
  const namespaces = new Map<string, string>();
  for (const { target, object } of objects) {
    if (!target.project) continue;
    if (target.namespace) namespaces.set(`${target.project}\u0000${target.namespace}\u0000${target.path}`, target.path);
    if (isClusterScoped(object))
      need(target.project, { group: apiGroupOf(object), kind: kindOf(object), name: nameOf(object) }, target.path);
  }
  for (const key of namespaces.keys()) {
    const [project, name, path] = key.split('\u0000');
    need(project, { group: '', kind: 'Namespace', name }, `${path} (destination namespace, CreateNamespace=true)`);
  }
  for (const u of upstream) for (const ref of u.objects) need(u.project, ref, `the project's upstream source`);

  for (const [project, refs] of needed) {
    const appProject = projects.get(project);
    if (!appProject) {
      error(APPS_TARGET, `no AppProject "${project}", which Applications of ${refs[0].file} use`);
      continue;
    }
    const whitelist = whitelistOf(appProject);
    count(refs.length);
    for (const { ref, file } of refs)
      if (!whitelist.some((e) => admits(e, ref)))
        error(
          file,
          `${show(ref)} is not admitted by AppProject ${project}'s clusterResourceWhitelist: ArgoCD refuses to sync it`,
        );
    for (const e of whitelist) {
      const what = `AppProject ${project} clusterResourceWhitelist entry ${e.kind} ${e.name ?? '(every name)'} (group "${e.group}")`;
      if (e.name === undefined || GLOB.test(e.name) || GLOB.test(e.kind) || GLOB.test(e.group))
        error(APPS_TARGET, `${what} admits more than one object: name each object the project's Applications create`);
      else if (!refs.some(({ ref }) => same(ref, e as ClusterObjectRef)))
        error(APPS_TARGET, `${what} admits an object none of the project's Applications creates`);
    }
  }
  // A project that nothing uses must admit nothing cluster-wide.
  for (const [name, p] of projects)
    if (name !== DEFAULT_PROJECT && !needed.has(name) && whitelistOf(p).length > 0)
      error(
        APPS_TARGET,
        `AppProject ${name} whitelists cluster-scoped objects, but no Application of the tree uses it`,
      );
  return findings;
}
