// The verify stage: check a compiled GitOps tree offline with the real tools
// and upstream schemas, and report what a cluster, ArgoCD, Alloy, promtool,
// Mimir or Loki would reject. Checks run in order of what they need: the
// kustomize builds first (every kustomization, bases included), then the
// object checks over the built deployable targets, then the files that are
// not Kubernetes objects (Alloy configs, promtool unit tests).
import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import fg from 'fast-glob';
import { checkAlloy } from './alloy.ts';
import { checkAlertmanagerConfigs } from './amtool.ts';
import { findCollisions } from './collision.ts';
import { CrdSchemas } from './crd-schemas.ts';
import { buildKustomizations, findKustomizationDirs, type KustomizeBuild } from './kustomize.ts';
import { nameProblems } from './names.ts';
import { describeObject, isConfigMap, isRecord, kindOf, type BuiltObject } from './objects.ts';
import { checkProjects } from './projects.ts';
import { checkRuleSpecs, runRuleTests } from './promtool.ts';
import {
  dashboardQueries,
  isGrafanaDashboardKey,
  provisionedDatasourceTypes,
  queryError,
  ruleQueries,
  type QuerySite,
} from './queries.ts';
import { validateObject } from './schema.ts';
import { findExecutable } from './tools.ts';
import type { Finding, UpstreamObjects, VerifyReport, VerifyTarget } from './types.ts';

export type { ClusterObjectRef, Finding, UpstreamObjects, VerifyReport, VerifyTarget } from './types.ts';
export { checkAlloy } from './alloy.ts';

export interface VerifyOptions {
  /** Run promtool (default true); false records the check as skipped. */
  promtool?: boolean;
  /** Cluster-scoped objects of Applications whose source is outside the tree, for the AppProject check. */
  upstream?: UpstreamObjects[];
}

const normalizeDir = (dir: string): string => posix.normalize(dir.replace(/\\/g, '/')).replace(/^\.\/|\/$/g, '') || '.';
const isPrometheusRule = (o: Record<string, unknown>) =>
  kindOf(o) === 'PrometheusRule' && String(o.apiVersion).startsWith('monitoring.coreos.com/');

/** What the stages report into: findings, objects checked per check, checks skipped and why, notes. */
interface Tally {
  findings: Finding[];
  checked: Record<string, number>;
  skipped: string[];
  notes: string[];
  count: (check: string, n?: number) => void;
}

const IGNORED = ['**/node_modules/**', '**/.git/**'];

export async function verifyTree(
  root: string,
  targets: VerifyTarget[],
  opts: VerifyOptions = {},
): Promise<VerifyReport> {
  const checked: Record<string, number> = {};
  const t: Tally = {
    findings: [],
    checked,
    skipped: [],
    notes: [],
    count: (check, n = 1) => {
      checked[check] = (checked[check] ?? 0) + n;
    },
  };
  const { targetList, builds, objects } = await buildTargets(root, targets, t);

  // The objects of the deployable targets: schema, names, collisions.
  const crds = new CrdSchemas([...builds.values()].flatMap((b) => (b.status === 'built' ? b.objects : [])));
  await checkObjects(objects, crds, t.findings, t.count);
  t.findings.push(...findCollisions(objects));
  t.count('collision', objects.length);
  // AppProjects admit exactly what their Applications create (targets without a project: nothing to check).
  if (targetList.some((x) => x.project) && objects.some((b) => b.target.path === 'gitops/argocd-apps'))
    t.findings.push(...checkProjects(objects, opts.upstream ?? [], (n) => t.count('project', n)));

  await checkAlloyConfigs(root, objects, t);
  // PromQL and LogQL of rules and dashboards.
  checkQueries(objects, t.findings, t.count);
  await checkRules(root, objects, opts, t);
  await checkAlertmanager(root, t);

  t.findings.sort(
    (a, b) =>
      a.check.localeCompare(b.check) ||
      a.file.localeCompare(b.file, undefined, { numeric: true }) ||
      a.message.localeCompare(b.message),
  );
  return { findings: t.findings, checked, skipped: t.skipped, ...(t.notes.length > 0 ? { notes: t.notes } : {}) };
}

/** kustomize: every kustomization builds, bases included; the deployable targets' objects. */
async function buildTargets(root: string, targets: VerifyTarget[], t: Tally) {
  const dirs = await findKustomizationDirs(root);
  const targetList = targets.map((x) => ({ ...x, path: normalizeDir(x.path) }));
  const kubectl = await findExecutable('kubectl');
  let builds = new Map<string, KustomizeBuild>();
  if (kubectl) {
    builds = await buildKustomizations(
      root,
      dirs,
      kubectl,
      targetList.map((x) => x.path),
    );
    for (const build of builds.values()) {
      if (build.status === 'built' || build.status === 'covered') t.count('kustomize');
      else if (build.status === 'failed')
        t.findings.push({
          check: 'kustomize',
          file: build.dir,
          severity: 'error',
          message: `kubectl kustomize failed: ${build.error}`,
        });
      else
        t.findings.push({
          check: 'kustomize',
          file: build.dir,
          severity: 'warning',
          message: `not built offline, so its objects are not verified: ${build.reason}`,
        });
    }
  } else {
    t.skipped.push(
      'kustomize: kubectl is not installed, so nothing was built and the schema, name, collision, alloy-in-ConfigMap and query checks saw no objects',
    );
  }
  const objects: BuiltObject[] = [];
  for (const target of targetList) {
    if (!dirs.includes(target.path)) {
      t.findings.push({
        check: 'kustomize',
        file: target.path,
        severity: 'error',
        message: 'target has no kustomization file',
      });
      continue;
    }
    const build = builds.get(target.path);
    if (build?.status === 'built') objects.push(...build.objects.map((object) => ({ target, object })));
  }
  return { targetList, builds, objects };
}

/** Alloy: files in the tree and configs embedded in ConfigMaps. */
async function checkAlloyConfigs(root: string, objects: BuiltObject[], t: Tally): Promise<void> {
  for (const file of await fg('**/*.alloy', { cwd: root, ignore: IGNORED })) {
    t.count('alloy');
    for (const p of checkAlloy(await readFile(join(root, file), 'utf8')))
      t.findings.push({ check: 'alloy', file: `${file}:${p.line}`, severity: 'error', message: p.message });
  }
  for (const { target, object } of objects.filter((b) => isConfigMap(b.object))) {
    for (const [key, text] of Object.entries(isRecord(object.data) ? object.data : {})) {
      if (!key.endsWith('.alloy') || typeof text !== 'string') continue;
      t.count('alloy');
      for (const p of checkAlloy(text))
        t.findings.push({
          check: 'alloy',
          file: target.path,
          severity: 'error',
          message: `${describeObject(object)} data["${key}"] line ${p.line}: ${p.message}`,
        });
    }
  }
}

/** promtool: rule specs and the generated rule tests. */
async function checkRules(root: string, objects: BuiltObject[], opts: VerifyOptions, t: Tally): Promise<void> {
  const testFiles = (await fg('**/*.promtool-test.yaml', { cwd: root, ignore: IGNORED })).sort();
  const rules = objects.filter((b) => isPrometheusRule(b.object));
  const promtool = opts.promtool === false ? undefined : await findExecutable('promtool');
  if (opts.promtool === false) t.skipped.push('promtool: turned off by the caller');
  else if (!promtool)
    t.skipped.push(
      `promtool: not installed (Debian package "prometheus"), so ${rules.length} PrometheusRules and ${testFiles.length} rule tests were not run`,
    );
  else {
    t.findings.push(
      ...(await checkRuleSpecs(
        promtool,
        rules.map(({ target, object }) => ({ file: target.path, id: describeObject(object), spec: object.spec })),
      )),
    );
    t.findings.push(...(await runRuleTests(promtool, root, testFiles)));
    t.count('promtool', rules.length + testFiles.length);
  }
}

/** amtool: every generated Alertmanager config. */
async function checkAlertmanager(root: string, t: Tally): Promise<void> {
  const amFiles = (await fg('**/alertmanager-fallback.yaml', { cwd: root, ignore: IGNORED })).sort();
  const amtool = await findExecutable('amtool');
  if (!amtool)
    t.skipped.push(
      `amtool: not installed (Debian package "prometheus-alertmanager"), so ${amFiles.length} Alertmanager configs were not checked`,
    );
  else if (amFiles.length > 0) {
    const am = await checkAlertmanagerConfigs(amtool, root, amFiles);
    t.findings.push(...am.findings);
    t.notes.push(...am.notes);
    t.count('amtool', amFiles.length);
  }
}

async function checkObjects(
  objects: BuiltObject[],
  crds: CrdSchemas,
  findings: Finding[],
  count: (check: string, n?: number) => void,
): Promise<void> {
  // The same object is often rendered by several overlays; validate each distinct one once.
  const schemaCache = new Map<string, Awaited<ReturnType<typeof validateObject>>>();
  for (const { target, object } of objects) {
    const id = describeObject(object);
    const key = JSON.stringify(object);
    if (!schemaCache.has(key)) schemaCache.set(key, await validateObject(object, crds));
    const result = schemaCache.get(key)!;
    if (result.covered) {
      count('schema');
      for (const e of result.errors)
        findings.push({ check: 'schema', file: target.path, severity: 'error', message: `${id}: ${e}` });
    } else {
      findings.push({
        check: 'schema',
        file: target.path,
        severity: 'warning',
        message: `${id}: no schema for ${String(object.apiVersion)} ${kindOf(object)} (neither upstream nor a CRD in the tree), so it is not validated`,
      });
    }
    count('name');
    for (const p of nameProblems(object))
      findings.push({ check: 'name', file: target.path, severity: 'error', message: `${id}: ${p}` });
  }
}

function checkQueries(objects: BuiltObject[], findings: Finding[], count: (check: string, n?: number) => void): void {
  const report = (file: string, owner: string, site: QuerySite) => {
    count(site.language);
    const error = queryError(site.language, site.parsed);
    if (error)
      findings.push({
        check: site.language,
        file,
        severity: 'error',
        message: `${owner} ${site.where}: ${error} in ${JSON.stringify(site.query)}`,
      });
  };
  for (const { target, object } of objects.filter((b) => isPrometheusRule(b.object))) {
    for (const site of ruleQueries(object)) report(target.path, describeObject(object), site);
  }

  const configMaps = objects.filter((b) => isConfigMap(b.object));
  const datasourceTypes = provisionedDatasourceTypes(configMaps.map((b) => b.object));
  for (const { target, object } of configMaps) {
    for (const [key, text] of Object.entries(isRecord(object.data) ? object.data : {})) {
      if (!isGrafanaDashboardKey(key) || typeof text !== 'string') continue;
      const owner = `${describeObject(object)} data["${key}"]`;
      let dashboard: unknown;
      try {
        dashboard = JSON.parse(text);
      } catch (error) {
        findings.push({
          check: 'dashboard',
          file: target.path,
          severity: 'error',
          message: `${owner}: not valid JSON: ${(error as Error).message}`,
        });
        continue;
      }
      const { sites, unresolved } = dashboardQueries(dashboard, datasourceTypes);
      for (const site of sites) report(target.path, owner, site);
      for (const where of unresolved)
        findings.push({
          check: 'dashboard',
          file: target.path,
          severity: 'warning',
          message: `${owner} ${where}: cannot tell the datasource type, so the query is not parsed`,
        });
    }
  }
}
