// Source positions for paths into the spec (clusters.prod.ip -> line:col), so
// that checks after loading can name file:line:col.
import { isAlias, isMap, isPair, isScalar, isSeq, type Node } from 'yaml';
import type { LoadedSpec } from './types.ts';

export type PathSegment = string | number;

interface Walked {
  /** The node the path reaches, or its nearest existing ancestor. */
  node: Node | undefined;
  /** The key that names it, in a mapping. */
  keyNode: Node | undefined;
  /** The first alias (`*name`) the path runs through. */
  alias: Node | undefined;
}

function walk(spec: LoadedSpec, path: readonly PathSegment[]): Walked {
  let node: unknown = spec.doc.contents;
  let keyNode: Node | undefined;
  let alias: Node | undefined;
  for (const seg of path) {
    if (isAlias(node)) {
      alias ??= node;
      node = node.resolve(spec.doc);
    }
    let next: unknown;
    let nextKey: Node | undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (pair) {
        next = pair.value ?? pair.key;
        nextKey = pair.key as Node;
      }
    } else if (isSeq(node) && /^[0-9]+$/.test(String(seg))) {
      // JSON pointers (ajv's instancePath) spell list indexes as strings.
      next = node.items[Number(seg)];
      nextKey = undefined;
    }
    if (next === undefined) break;
    node = next;
    keyNode = nextKey;
  }
  return { node: node as Node | undefined, keyNode, alias };
}

const position = (spec: LoadedSpec, node: Node | undefined) => {
  const { line, col } = spec.lineCounter.linePos(node?.range?.[0] ?? 0);
  return { line, column: col };
};

/**
 * Source position of the node at `path`: its value, or with `target: 'key'`
 * the key that names it (used for unknown keys, and for a missing key, whose
 * place is the key of the mapping it is missing from). Aliases are followed,
 * and a path through one resolves to the alias (`*name`): the anchored node is
 * shared by every path to it and reported under its own. A path that does
 * not exist resolves to its nearest existing ancestor.
 */
export function locate(
  spec: LoadedSpec,
  path: readonly PathSegment[],
  target: 'value' | 'key' = 'value',
): { line: number; column: number } {
  const { node, keyNode, alias } = walk(spec, path);
  return position(spec, alias ?? ((target === 'key' && keyNode) || node));
}

/**
 * Where the value at `path` is written when the path reaches it through an
 * alias (locate names the alias): the place inside the anchored node, so a
 * diagnostic can say both "used here" and "defined there".
 * Undefined when no alias is on the path.
 */
export function aliasOrigin(
  spec: LoadedSpec,
  path: readonly PathSegment[],
  target: 'value' | 'key' = 'value',
): { line: number; column: number } | undefined {
  const { node, keyNode, alias } = walk(spec, path);
  if (alias) return position(spec, (target === 'key' && keyNode) || node);
  return isAlias(node) ? position(spec, node.resolve(spec.doc)) : undefined;
}

/** The scalar at `path` as written in the file (`1.10`, not the number 1.1), for hints that quote it. */
export function sourceText(spec: LoadedSpec, path: readonly PathSegment[]): string | undefined {
  let { node } = walk(spec, path);
  if (isAlias(node)) node = node.resolve(spec.doc);
  const range = isScalar(node) ? node.range : undefined;
  return range ? spec.source.slice(range[0], range[1]) : undefined;
}
