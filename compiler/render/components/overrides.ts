// `overrides:` of the spec as kustomize patches. Each overlay an override
// reaches gets a kustomize Component, overlays/<x>/overrides/, with one file per
// override kind and per patch, and the overlay lists it under `components:`.
// A Component's patches run on the base objects before the overlay's
// nameSuffix, so targets are base names. kustomize ignores a patch whose target
// matches nothing, so every target (and every container a patch names) is
// checked here against the objects rendered into the component's base; what
// does not match is a problem located at the override in the spec.
import { parseAllDocuments } from 'yaml';
import type { OverrideModel } from '../../model/index.ts';
import type { PathSegment } from '../../load.ts';
import { dataYaml, RenderError } from '../engine.ts';
import type { Tree } from '../tree.ts';
import type { RenderContext, RenderProblem } from './context.ts';

export type { RenderProblem };

interface BaseObject {
  apiVersion: string;
  kind: string;
  name: string;
  doc: any;
}

const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'];

export function renderOverrides(ctx: RenderContext) {
  for (const o of ctx.model.overrides) if (o.overlays.length) renderOverride(ctx, o);
}

/** The objects of a component's base, as rendered (kustomize's patches see these, before any name suffix). */
function baseObjects(tree: Tree, componentDir: string): BaseObject[] {
  const prefix = `${componentDir}/base/`;
  return tree.files
    .filter((f) => f.path.startsWith(prefix) && f.path.endsWith('.yaml'))
    .flatMap((f) => parseAllDocuments(f.contents).map((d) => d.toJS()))
    .filter((doc) => doc?.kind && doc.kind !== 'Kustomization')
    .map((doc) => ({ apiVersion: doc.apiVersion, kind: doc.kind, name: doc.metadata?.name, doc }));
}

const containersOf = (o: BaseObject): any[] => o.doc.spec?.template?.spec?.containers ?? [];
/** Targets are regexes to kustomize (anchored); names may hold '.', the only metacharacter a k8s name allows. */
const targetOf = (o: { kind: string; name: string }) => ({ kind: o.kind, name: o.name.replaceAll('.', '\\.') });

function renderOverride(ctx: RenderContext, o: OverrideModel) {
  const at: PathSegment[] = ['overrides', o.component];
  const problem = (code: RenderProblem['code'], path: PathSegment[], message: string, hint: string) =>
    ctx.problems.push({ code, path: [...at, ...path], message, hint });
  const objects = baseObjects(ctx.tree, o.componentDir);
  const files: { name: string; contents: string; target?: { kind: string; name: string } }[] = [];
  const header = (what: string) => `${ctx.tree.yamlHeader}# From overrides.${o.component}.${what} of the spec.\n`;

  const typed = typedPatches(o);
  if (typed.length) {
    const workloads = objects.filter((x) => WORKLOAD_KINDS.includes(x.kind));
    if (workloads.length !== 1) {
      problem(
        'FAB246',
        [typed[0].key],
        `${o.component} has ${workloads.length ? 'more than one workload' : 'no workload'} (Deployment, StatefulSet or DaemonSet) for ${typed.map((t) => t.key).join(', ')} to apply to`,
        'use patches: with a target naming the object to change',
      );
    } else {
      const w = workloads[0];
      if (o.replicas !== undefined && w.kind === 'DaemonSet')
        problem(
          'FAB246',
          ['replicas'],
          `${o.component} runs as DaemonSet/${w.name}, which has no replicas`,
          'remove replicas: a DaemonSet runs one pod per node (use nodeSelector to choose the nodes)',
        );
      for (const t of typed) {
        const body = t.body(containersOf(w)[0]);
        files.push({
          name: `${t.key === 'nodeSelector' || t.key === 'tolerations' ? 'scheduling' : t.key}.yaml`,
          contents:
            header(t.key === 'nodeSelector' || t.key === 'tolerations' ? schedulingKeys(o) : t.key) +
            dataYaml({ apiVersion: w.apiVersion, kind: w.kind, metadata: { name: w.name }, spec: body }),
          target: w,
        });
      }
    }
  }
  o.patches.forEach((p, i) => {
    const target = objects.find((x) => x.kind === p.target.kind && x.name === p.target.name);
    if (!target) {
      const same = objects.filter((x) => x.kind === p.target.kind).map((x) => x.name);
      problem(
        'FAB244',
        ['patches', i, 'target'],
        `target ${p.target.kind}/${p.target.name} matches nothing in ${o.component}'s base (kustomize would skip the patch silently)`,
        same.length
          ? `${p.target.kind} objects of ${o.component}: ${same.join(', ')} (names before the overlay's suffix)`
          : `objects of ${o.component}: ${objects.map((x) => `${x.kind}/${x.name}`).join(', ')}`,
      );
      return;
    }
    if (p.patch)
      checkContainers(p.patch, target, (j, name) =>
        problem(
          'FAB245',
          ['patches', i, 'patch', 'spec', 'template', 'spec', 'containers', j, 'name'],
          `container '${name}' is not in ${target.kind}/${target.name} (containers: ${containersOf(target)
            .map((c) => c.name)
            .join(', ')}); kustomize would add it without an image`,
          'name an existing container, or give the new container an image to add a sidecar',
        ),
      );
    const contents = p.patch
      ? dataYaml({ apiVersion: target.apiVersion, kind: target.kind, metadata: { name: target.name }, ...p.patch })
      : dataYaml(p.ops);
    files.push({ name: `patch-${i + 1}.yaml`, contents: header(`patches[${i}]`) + contents, target });
  });
  const taken = new Set(objects.map((x) => `${x.kind}/${x.name}`));
  for (const f of o.extraFiles)
    for (const obj of f.objects)
      if (taken.has(`${obj.kind}/${obj.name}`))
        problem(
          'FAB245',
          ['resourcesDir'],
          `${f.name} defines ${obj.kind}/${obj.name}, which fabric already renders in ${o.component}'s base`,
          "rename the object, or change fabric's with patches:",
        );
  writeComponent(ctx, o, files);
}

const schedulingKeys = (o: OverrideModel) =>
  [o.nodeSelector && 'nodeSelector', o.tolerations && 'tolerations'].filter(Boolean).join(' and ');

/** Strategic-merge bodies (`spec`) of the typed overrides, each for the workload's first container. */
function typedPatches(o: OverrideModel): { key: string; body: (container: any) => object }[] {
  const out: { key: string; body: (container: any) => object }[] = [];
  const pod = (spec: object) => ({ template: { spec } });
  if (o.resources)
    out.push({ key: 'resources', body: (c) => pod({ containers: [{ name: c.name, resources: o.resources }] }) });
  if (o.replicas !== undefined) out.push({ key: 'replicas', body: () => ({ replicas: o.replicas }) });
  if (o.env) {
    const env = o.env;
    out.push({
      key: 'env',
      body: (c) => {
        // A variable the base sets from valueFrom keeps it under a merge unless the patch clears it.
        const fromRef = new Set((c.env ?? []).filter((e: any) => e.valueFrom).map((e: any) => e.name));
        const vars = Object.entries(env).map(([name, value]) =>
          fromRef.has(name) ? { name, value, valueFrom: null } : { name, value },
        );
        return pod({ containers: [{ name: c.name, env: vars }] });
      },
    });
  }
  if (o.nodeSelector || o.tolerations)
    out.push({
      key: o.nodeSelector ? 'nodeSelector' : 'tolerations',
      // One file: a second tolerations patch would replace the first (lists without a merge key).
      body: () =>
        pod({
          ...(o.nodeSelector && { nodeSelector: o.nodeSelector }),
          ...(o.tolerations && { tolerations: o.tolerations }),
        }),
    });
  return out;
}

function checkContainers(patch: any, target: BaseObject, missing: (index: number, name: string) => void) {
  const list = patch?.spec?.template?.spec?.containers;
  if (!Array.isArray(list)) return;
  const names = new Set(containersOf(target).map((c) => c.name));
  list.forEach((c: any, j: number) => {
    if (c && typeof c === 'object' && typeof c.name === 'string' && !names.has(c.name) && !c.image) missing(j, c.name);
  });
}

function writeComponent(
  { tree }: RenderContext,
  o: OverrideModel,
  files: { name: string; contents: string; target?: { kind: string; name: string } }[],
) {
  const component = {
    apiVersion: 'kustomize.config.k8s.io/v1alpha1',
    kind: 'Component',
    ...(o.extraFiles.length && { resources: o.extraFiles.map((f) => `extra/${f.name}`) }),
    ...(files.length && { patches: files.map((f) => ({ path: f.name, target: targetOf(f.target!) })) }),
  };
  for (const dir of o.overlays) {
    const kustomization = tree.files.find((f) => f.path === `${dir}/kustomization.yaml`);
    if (!kustomization || /^components:/m.test(kustomization.contents))
      throw new RenderError(`overlay ${dir} has no kustomization.yaml fabric can add the overrides component to`);
    kustomization.contents += `# overrides.${o.component} of the spec: patches and manifests in overrides/ (a kustomize Component).\ncomponents:\n  - overrides\n`;
    tree.text(
      `${dir}/overrides/kustomization.yaml`,
      `${tree.yamlHeader}# Its patches see the base's names: they run before the overlay's nameSuffix.\n${dataYaml(component)}`,
    );
    for (const f of files) tree.text(`${dir}/overrides/${f.name}`, f.contents);
    for (const f of o.extraFiles) tree.text(`${dir}/overrides/extra/${f.name}`, f.contents);
  }
}
