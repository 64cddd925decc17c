// Checks on a document that parsed: what YAML allows but fabric.yaml does not
// (a top level that is not a mapping, explicit tags, merge keys, aliases that
// contain themselves or name no anchor), and plain values YAML 1.1 tools retype.
import {
  isAlias,
  isCollection,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  parse,
  type Alias,
  type Document,
  type Node,
  type Pair,
} from 'yaml';
import { diagnostic, fileDiagnostic, type Diagnostic } from '../diagnostics.ts';
import type { At, CstToken } from './yaml-errors.ts';

const targets = new WeakMap<Document.Parsed, Map<Alias, Node | undefined>>();

/**
 * Every node and pair of the document in the order yaml's visit() takes (depth first, a key before its value),
 * until `each` returns true. visit() also builds a frozen path array at every step, which no check here reads:
 * a fleet's spec has tens of thousands of nodes.
 */
function walk(doc: Document.Parsed, each: (item: Node | Pair) => boolean | void): void {
  const go = (item: unknown): boolean => {
    if ((isNode(item) || isPair(item)) && each(item)) return true;
    if (isCollection(item)) return item.items.some(go);
    return isPair(item) && (go(item.key) || go(item.value));
  };
  go(doc.contents);
}

/**
 * What each alias of the document refers to: the last node anchored with its
 * name before it, as `Alias.resolve` finds it. One walk for all aliases:
 * `resolve` walks the whole document per alias, which took 10 s for a 70 KB
 * spec of 4,000 aliases.
 */
function aliasTargets(doc: Document.Parsed): Map<Alias, Node | undefined> {
  let found = targets.get(doc);
  if (!found) {
    const byAnchor = new Map<string, Node>();
    const result = new Map<Alias, Node | undefined>();
    walk(doc, (node) => {
      if (isAlias(node)) result.set(node, byAnchor.get(node.source));
      else if (isNode(node) && node.anchor) byAnchor.set(node.anchor, node);
    });
    targets.set(doc, (found = result));
  }
  return found;
}

/** FAB003/FAB017: an empty document, or a top level that is a list or a single value. */
export function topLevelDiagnostics(doc: Document.Parsed, file: string, at: At): Diagnostic[] {
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null))
    return [
      fileDiagnostic(
        'FAB003',
        file,
        'spec is empty',
        'start from spec/fabric.yaml in the fabric repository; it describes the reference deployment',
      ),
    ];
  if (isMap(doc.contents)) return [];
  const what = isSeq(doc.contents) ? 'a list' : 'a single value';
  return [
    diagnostic(
      'FAB017',
      file,
      at(doc.contents.range?.[0] ?? 0),
      `the top level of fabric.yaml must be a mapping (name:, git:, clusters:, ...), not ${what}`,
      'write the spec as keys and values, as in spec/fabric.yaml',
    ),
  ];
}

/**
 * FAB012/FAB014/FAB018. Explicit tags (!!set, !vault, !!js/function) would
 * smuggle non-plain values past the schema; merge keys are not YAML 1.2; an
 * alias inside the node it names makes the data contain itself, which no later
 * stage can walk.
 */
export function constructDiagnostics(doc: Document.Parsed, file: string, at: At, cst: () => CstToken[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  walk(doc, (item) => {
    if (isPair(item)) {
      if (isScalar(item.key) && item.key.value === '<<' && item.key.type === 'PLAIN')
        out.push(
          diagnostic(
            'FAB014',
            file,
            at(item.key.range?.[0] ?? 0),
            'merge keys (<<) are not supported in fabric.yaml',
            'write the keys out, or use environment overrides (environments.<env>.alerts) instead of merging',
          ),
        );
      return;
    }
    if (item.tag) {
      // A node's range starts after its tag; report the tag as written.
      const start = item.range?.[0] ?? 0;
      const tag = cst()
        .filter((t) => t.type === 'tag' && t.offset < start)
        .pop() ?? { offset: start, source: item.tag };
      out.push(
        diagnostic(
          'FAB012',
          file,
          at(tag.offset),
          `explicit YAML tag ${tag.source} is not allowed`,
          'remove the tag; write the value as a plain string, number, list or mapping',
        ),
      );
    }
    if (isAlias(item)) selfContaining(doc, item, file, at, out);
  });
  return out;
}

/** FAB018: an alias inside the node it refers to. */
function selfContaining(doc: Document.Parsed, alias: Alias, file: string, at: At, out: Diagnostic[]): void {
  const target = aliasTargets(doc).get(alias);
  const [start, , end] = target?.range ?? [0, 0, 0];
  const offset = alias.range?.[0] ?? 0;
  if (!target || offset < start || offset >= end) return;
  const d = diagnostic(
    'FAB018',
    file,
    at(offset),
    `alias *${alias.source} is inside the node it refers to, so the value would contain itself`,
    'point the alias at a node outside this one, or write the value out',
  );
  d.related = { ...at(start), message: `the node anchored as &${alias.source} starts here` };
  out.push(d);
}

/** FAB016: compat 'yaml-1.1' reports plain scalars that YAML 1.1 tools would retype. */
export function yaml11Warnings(doc: Document.Parsed, source: string, file: string, at: At): Diagnostic[] {
  return doc.warnings
    .filter((w) => w.code === 'TAG_RESOLVE_FAILED')
    .map((w) => {
      const text = source.slice(w.pos[0], w.pos[1]);
      const asYaml11 = JSON.stringify(parse(text, { version: '1.1' }));
      // Mostly a string here that 1.1 retypes (no -> false); 0o17 is the other way round (15 here, a string there).
      const here = parse(text, { version: '1.2' });
      const reading = typeof here === 'string' ? 'a string' : JSON.stringify(here);
      return diagnostic(
        'FAB016',
        file,
        at(w.pos[0]),
        `${JSON.stringify(text)} is ${reading} here, but YAML 1.1 tools (Kubernetes, kubectl) read it as ${asYaml11}`,
        typeof here === 'string'
          ? `quote it: "${text}"`
          : `write ${reading} if you mean the number, or quote it: "${text}"`,
      );
    });
}

/** FAB010: the first alias with no anchor before it (toJS would throw, without a position). */
export function orphanAliasDiagnostics(doc: Document.Parsed, file: string, at: At): Diagnostic[] {
  let orphan: Alias | undefined;
  walk(doc, (item) => {
    if (!isAlias(item) || aliasTargets(doc).get(item) !== undefined) return false;
    orphan = item;
    return true;
  });
  if (!orphan) return [];
  return [
    diagnostic(
      'FAB010',
      file,
      at(orphan.range?.[0] ?? 0),
      `YAML: alias *${orphan.source} refers to no anchor &${orphan.source} before it`,
      `write &${orphan.source} on the value to repeat, above this line, or write the value out`,
    ),
  ];
}
