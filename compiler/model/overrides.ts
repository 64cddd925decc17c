// `overrides:` of the spec resolved against the deployments: which overlays of
// its component each override reaches. The validate check `overrides`
// (validate/checks/overrides.ts) calls the same overrideOverlays(), so a scope
// it accepts is the scope render writes.
import type { FabricYaml } from '../spec-types.ts';
import { componentDir, overlayScopes, type OverlayScope } from './deployments.ts';
import type { Deployment, ExtraManifest, OverrideModel } from './types.ts';

type Override = NonNullable<FabricYaml['overrides']>[string];

/** The overlays of `component` an override with this scope reaches (no scope: all of them). */
export function overrideOverlays(
  scopes: OverlayScope[],
  component: string,
  scope: Pick<Override, 'environments' | 'clusters'>,
): OverlayScope[] {
  const own = scopes.filter((s) => s.component === component);
  if (scope.clusters) return own.filter((s) => s.cluster !== undefined && scope.clusters!.includes(s.cluster));
  if (scope.environments) return own.filter((s) => s.environments.every((e) => scope.environments!.includes(e)));
  return own;
}

/** Mappings with their keys sorted, at every depth (lists keep their order): the output follows no spec key order. */
function sortedKeys<T>(v: T): T {
  if (Array.isArray(v)) return v.map(sortedKeys) as T;
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, sortedKeys((v as Record<string, unknown>)[k])]),
  ) as T;
}

export function overrideModels(
  spec: FabricYaml,
  deployments: Deployment[],
  environments: string[],
  extras: Record<string, ExtraManifest[]>,
): OverrideModel[] {
  const entries = Object.entries(spec.overrides ?? {});
  // Most fleets override nothing: their overlays need not be listed.
  const scopes = entries.length ? overlayScopes(deployments, environments) : [];
  return entries
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([component, o]) => ({
      component,
      componentDir: componentDir(component),
      overlays: overrideOverlays(scopes, component, o).map((s) => s.dir),
      resources: sortedKeys(o.resources),
      replicas: o.replicas,
      env: sortedKeys(o.env),
      nodeSelector: sortedKeys(o.nodeSelector),
      tolerations: sortedKeys(o.tolerations) as Record<string, unknown>[] | undefined,
      patches: (o.patches ?? []).map((p) => ({
        target: { kind: p.target.kind, name: p.target.name },
        patch: sortedKeys(p.patch) as Record<string, unknown> | undefined,
        ops: sortedKeys(p.ops) as Record<string, unknown>[] | undefined,
      })),
      extraFiles: extras[component] ?? [],
    }));
}
