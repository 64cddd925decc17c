// ajv errors as one line per failing location, in the paths kubectl prints
// ("spec.template.spec.containers[0].image: must be string"); a property a
// closed schema does not list reads as an unknown field.

export interface AjvError {
  instancePath: string;
  keyword?: string;
  params?: Record<string, unknown>;
  message?: string;
}

/** "/spec/containers/0/name" -> "spec.containers[0].name". */
export function fieldPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}

export function describeAjvErrors(errors: readonly AjvError[]): string[] {
  const byPath = new Map<string, Set<string>>();
  const unknown: string[] = [];
  for (const e of errors) {
    const at = fieldPath(e.instancePath);
    if (e.keyword === 'additionalProperties' && typeof e.params?.additionalProperty === 'string') {
      unknown.push(`unknown field "${at ? `${at}.` : ''}${e.params.additionalProperty}"`);
      continue;
    }
    const where = at || '(object)';
    if (!byPath.has(where)) byPath.set(where, new Set());
    byPath.get(where)!.add(e.message ?? 'is invalid');
  }
  return [...[...byPath].map(([where, messages]) => `${where}: ${[...messages].join('; ')}`), ...unknown];
}
