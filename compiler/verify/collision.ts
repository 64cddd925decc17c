// Two ArgoCD applications that render the same object for the same cluster
// fight over it (each sync reverts the other). An object's identity is its
// API group, kind, namespace (none for cluster-scoped kinds) and name.
import {
  apiGroupOf,
  describeObject,
  isClusterScoped,
  kindOf,
  nameOf,
  namespaceOf,
  type BuiltObject,
} from './objects.ts';
import type { Finding } from './types.ts';

export function findCollisions(objects: BuiltObject[]): Finding[] {
  const byIdentity = new Map<string, BuiltObject[]>();
  for (const built of objects) {
    const o = built.object;
    const namespace = isClusterScoped(o) ? '' : (namespaceOf(o) ?? '');
    const key = [built.target.cluster, apiGroupOf(o), kindOf(o), namespace, nameOf(o)].join('\u0000');
    if (!byIdentity.has(key)) byIdentity.set(key, []);
    byIdentity.get(key)!.push(built);
  }

  const findings: Finding[] = [];
  for (const group of byIdentity.values()) {
    const targets = [...new Set(group.map((b) => b.target.path))].sort();
    if (targets.length < 2) continue; // within one target kustomize already refuses duplicates
    const first = group[0];
    // Without a namespace, each application's destination namespace decides, so they only may collide.
    const certain = isClusterScoped(first.object) || namespaceOf(first.object) !== undefined;
    findings.push({
      check: 'collision',
      file: targets[0],
      severity: certain ? 'error' : 'warning',
      message: `${describeObject(first.object)} (${apiGroupOf(first.object) || 'core'}) is rendered for cluster "${first.target.cluster}" by ${targets.length} targets: ${targets.join(', ')}${certain ? '' : ' (no namespace set: they collide if their applications share a destination namespace)'}`,
    });
  }
  return findings;
}
