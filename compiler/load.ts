// Stage 1: read fabric.yaml and parse it as YAML 1.2, keeping source positions
// so that every later diagnostic can name file:line:col.
import { readFileSync, statSync } from 'node:fs';
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parse,
  parseDocument,
  Parser,
  visit,
  type Alias,
  type Document,
  type Node,
  type Scalar,
  type YAMLError,
} from 'yaml';
import type { Diagnostic } from './diagnostics.ts';

/** Larger specs are rejected before parsing (RELIABILITY A4). */
export const MAX_SPEC_BYTES = 1024 * 1024;
/** Aliases are allowed, but expanding them is bounded (billion laughs, A4). */
const MAX_ALIAS_COUNT = 100;

export interface LoadedSpec {
  file: string;
  source: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** The plain data, or undefined when the file did not parse. */
  data: unknown;
}

export interface LoadResult {
  loaded?: LoadedSpec;
  /** The text read, also when it did not parse, so that YAML errors get a code frame. */
  source?: string;
  diagnostics: Diagnostic[];
}

const fileDiag = (file: string, code: string, message: string, hint?: string): Diagnostic => ({
  code,
  severity: 'error',
  file,
  line: 0,
  column: 0,
  message,
  hint,
});

export function loadSpecFile(file: string): LoadResult {
  let source: string;
  try {
    const size = statSync(file).size;
    if (size > MAX_SPEC_BYTES)
      return {
        diagnostics: [
          fileDiag(
            file,
            'FAB002',
            `file is ${size} bytes; fabric.yaml may be at most ${MAX_SPEC_BYTES} bytes`,
            'split nothing: a fleet spec this large is almost certainly not a fabric.yaml; check the path',
          ),
        ],
      };
    source = readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === 'ENOENT'
        ? 'no such file'
        : err.code === 'EISDIR'
          ? 'is a directory'
          : err.code === 'EACCES'
            ? 'permission denied'
            : err.message;
    return {
      diagnostics: [
        fileDiag(file, 'FAB001', `cannot read spec: ${why}`, 'pass the path of your fabric.yaml with --spec'),
      ],
    };
  }
  return loadSpecSource(source, file);
}

const YAML_CODES: Record<string, { code: string; hint: string; message?: string }> = {
  DUPLICATE_KEY: { code: 'FAB011', hint: 'remove one of the two keys; each key may appear once in a mapping' },
  MULTIPLE_DOCS: {
    code: 'FAB015',
    message: 'a second YAML document starts here',
    hint: 'fabric.yaml holds one document; remove the extra `---` and what follows, or merge it into the first',
  },
  TAB_AS_INDENT: { code: 'FAB010', hint: 'indent with spaces, not tabs' },
  RESOURCE_EXHAUSTION: {
    code: 'FAB013',
    hint: 'a fabric.yaml is only a few levels deep; look for a long run of unclosed [ or {',
  },
};

/**
 * The parser's errors in source order. yaml reports any exception while it
 * composes a collection as RESOURCE_EXHAUSTION: a stack overflow from deep
 * nesting is one (reported once, at the outermost place), any other exception
 * is the parser tripping over a syntax error already reported.
 */
function yamlErrors(doc: Document.Parsed): YAMLError[] {
  const errors = [...doc.errors].sort((a, b) => a.pos[0] - b.pos[0]);
  const exhausted = errors.filter((e) => e.code === 'RESOURCE_EXHAUSTION');
  const rest = errors.filter((e) => e.code !== 'RESOURCE_EXHAUSTION');
  const overflow = exhausted.find((e) => /call stack/i.test(e.message));
  if (overflow) return [overflow, ...rest].sort((a, b) => a.pos[0] - b.pos[0]);
  return rest.length > 0 ? rest : exhausted;
}

/**
 * The earlier key that the duplicate key starting at `offset` repeats: yaml
 * names only the second, and the fix may be at either (RELIABILITY B3).
 */
function firstKeyRepeatedAt(doc: Document.Parsed, offset: number): Scalar | undefined {
  let first: Scalar | undefined;
  try {
    visit(doc, {
      Map(_, map) {
        const keys = map.items.map((p) => p.key).filter(isScalar);
        const repeated = keys.find((k) => k.range?.[0] === offset);
        if (!repeated) return undefined;
        first = keys.find((k) => String(k.value) === String(repeated.value));
        return visit.BREAK;
      },
    });
  } catch {
    // A document too deep to visit already has its own error; the second place is enough.
  }
  return first !== undefined && first.range?.[0] !== offset ? first : undefined;
}

/** The first alias with no anchor before it (toJS would throw, without a position). */
function unresolvedAlias(doc: Document.Parsed): Alias | undefined {
  let found: Alias | undefined;
  visit(doc, {
    Alias(_, alias) {
      if (alias.resolve(doc) === undefined) {
        found = alias;
        return visit.BREAK;
      }
    },
  });
  return found;
}

interface CstToken {
  type: string;
  offset: number;
  source?: string;
  end?: { type: string }[];
}

/** Every token of the concrete syntax tree, in source order (for what the composed document no longer shows). */
function cstTokens(source: string): CstToken[] {
  const tokens: CstToken[] = [];
  const stack: unknown[] = [...new Parser().parse(source)];
  while (stack.length > 0) {
    const token = stack.pop();
    if (!token || typeof token !== 'object') continue;
    const t = token as Partial<CstToken>;
    if (typeof t.type === 'string' && typeof t.offset === 'number') tokens.push(t as CstToken);
    // One push per child: a spread of a long flow list would overflow the argument limit.
    for (const child of Array.isArray(token) ? token : Object.values(token)) stack.push(child);
  }
  return tokens.sort((a, b) => a.offset - b.offset);
}

/**
 * yaml reports an unclosed quoted string or flow collection where it gave up
 * (often the end of the file); the place to fix is where it opens: the last
 * such opening before the error.
 */
function unclosedOpening(tokens: () => CstToken[], err: YAMLError): number | undefined {
  if (err.code !== 'MISSING_CHAR' && !/must be sufficiently indented and end with/.test(err.message)) return undefined;
  const unclosed = (t: CstToken) =>
    t.type === 'flow-collection'
      ? !t.end?.some((e) => e.type === 'flow-map-end' || e.type === 'flow-seq-end')
      : // An unclosed quoted string runs on up to the error.
        t.type === 'double-quoted-scalar' || t.type === 'single-quoted-scalar'
        ? t.offset + (t.source?.length ?? 0) >= err.pos[0]
        : false;
  return tokens()
    .filter((t) => t.offset < err.pos[0] && unclosed(t))
    .pop()?.offset;
}

/**
 * Line starts as the code frame (and an editor) sees them. yaml's own count
 * breaks at LF only and misses some inside tokens it cannot parse; the frame
 * also breaks at a lone CR, U+2028 and U+2029. Counting from the text keeps
 * every reported line the one the frame shows.
 */
function countEveryLineBreak(lineCounter: LineCounter, source: string): void {
  const starts = lineCounter.lineStarts;
  starts.length = 0;
  starts.push(0);
  // One push per line: a spread of a million line starts would overflow the argument limit.
  for (const m of source.matchAll(/\r\n|[\n\r\u2028\u2029]/g)) starts.push(m.index + m[0].length);
}

export function loadSpecSource(source: string, file: string): LoadResult {
  const diagnostics: Diagnostic[] = [];
  const lineCounter = new LineCounter();
  const at = (offset: number) => lineCounter.linePos(Math.min(offset, source.length));
  if (Buffer.byteLength(source) > MAX_SPEC_BYTES)
    return { diagnostics: [fileDiag(file, 'FAB002', `spec is larger than ${MAX_SPEC_BYTES} bytes`)] };

  let doc: Document.Parsed;
  try {
    doc = parseDocument(source, {
      lineCounter,
      uniqueKeys: true,
      stringKeys: true,
      strict: true,
      prettyErrors: false,
      version: '1.2',
      merge: false,
      compat: 'yaml-1.1',
    });
  } catch (e) {
    // The parser guards its own recursion (yaml >= 2.8.3); this is the last line of defence.
    return {
      diagnostics: [
        fileDiag(
          file,
          'FAB013',
          `the YAML parser gave up: ${(e as Error).message}`,
          'the document nests too deeply to be a fabric.yaml',
        ),
      ],
    };
  }
  countEveryLineBreak(lineCounter, source);

  let tokens: CstToken[] | undefined;
  const cst = () => (tokens ??= cstTokens(source));
  for (const err of yamlErrors(doc)) {
    const opening = unclosedOpening(cst, err);
    const { line, col } = at(opening ?? err.pos[0]);
    const known = YAML_CODES[err.code];
    const message =
      err.code === 'RESOURCE_EXHAUSTION' && /call stack/i.test(err.message)
        ? 'the document nests too deeply to parse'
        : (known?.message ?? err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, ''));
    const hint =
      opening !== undefined
        ? 'this opens here and is never closed; close it, or check the indentation of the lines after it'
        : (known?.hint ?? 'fix the YAML syntax at this position');
    const d: Diagnostic = {
      code: known?.code ?? 'FAB010',
      severity: 'error',
      file,
      line,
      column: col,
      message: `YAML: ${message}`,
      hint,
    };
    const first = err.code === 'DUPLICATE_KEY' ? firstKeyRepeatedAt(doc, err.pos[0]) : undefined;
    if (first) {
      const pos = at(first.range![0]);
      d.related = { line: pos.line, column: pos.col, message: `the first ${JSON.stringify(String(first.value))}` };
    }
    diagnostics.push(d);
  }
  if (diagnostics.length > 0) return { source, diagnostics };

  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    return {
      source,
      diagnostics: [
        fileDiag(
          file,
          'FAB003',
          'spec is empty',
          'start from spec/fabric.yaml in the fabric repository; it describes the reference deployment',
        ),
      ],
    };
  }
  if (!isMap(doc.contents)) {
    const { line, col } = at(doc.contents.range?.[0] ?? 0);
    const what = isSeq(doc.contents) ? 'a list' : 'a single value';
    return {
      source,
      diagnostics: [
        {
          code: 'FAB017',
          severity: 'error',
          file,
          line,
          column: col,
          message: `the top level of fabric.yaml must be a mapping (name:, git:, clusters:, ...), not ${what}`,
          hint: 'write the spec as keys and values, as in spec/fabric.yaml',
        },
      ],
    };
  }

  // Explicit tags (!!set, !vault, !!js/function) would smuggle non-plain values
  // past the schema (RELIABILITY A6); merge keys are not YAML 1.2 (A5).
  visit(doc, {
    Node(_, node) {
      if ((node as Node).tag) {
        // A node's range starts after its tag; report the tag as written.
        const start = (node as Node).range?.[0] ?? 0;
        const tag = cst()
          .filter((t) => t.type === 'tag' && t.offset < start)
          .pop() ?? { offset: start, source: (node as Node).tag! };
        const { line, col } = at(tag.offset);
        diagnostics.push({
          code: 'FAB012',
          severity: 'error',
          file,
          line,
          column: col,
          message: `explicit YAML tag ${tag.source} is not allowed`,
          hint: 'remove the tag; write the value as a plain string, number, list or mapping',
        });
      }
    },
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === '<<' && pair.key.type === 'PLAIN') {
        const { line, col } = at(pair.key.range?.[0] ?? 0);
        diagnostics.push({
          code: 'FAB014',
          severity: 'error',
          file,
          line,
          column: col,
          message: 'merge keys (<<) are not supported in fabric.yaml',
          hint: 'write the keys out, or use environment overrides (environments.<env>.alerts) instead of merging',
        });
      }
    },
    // An alias inside the node it names makes the data contain itself, which no later stage can walk.
    Alias(_, alias) {
      const target = alias.resolve(doc);
      const [start, , end] = target?.range ?? [0, 0, 0];
      const at0 = alias.range?.[0] ?? 0;
      if (target && at0 >= start && at0 < end) {
        const { line, col } = at(at0);
        const anchor = at(start);
        diagnostics.push({
          code: 'FAB018',
          severity: 'error',
          file,
          line,
          column: col,
          message: `alias *${alias.source} is inside the node it refers to, so the value would contain itself`,
          hint: 'point the alias at a node outside this one, or write the value out',
          related: {
            line: anchor.line,
            column: anchor.col,
            message: `the node anchored as &${alias.source} starts here`,
          },
        });
      }
    },
  });
  if (diagnostics.length > 0) return { source, diagnostics };

  // compat 'yaml-1.1' reports plain scalars that YAML 1.1 tools would retype (A1).
  for (const w of doc.warnings) {
    if (w.code !== 'TAG_RESOLVE_FAILED') continue;
    const { line, col } = at(w.pos[0]);
    const text = source.slice(w.pos[0], w.pos[1]);
    const asYaml11 = JSON.stringify(parse(text, { version: '1.1' }));
    // Mostly a string here that 1.1 retypes (no -> false); 0o17 is the other way round (15 here, a string there).
    const here = parse(text, { version: '1.2' });
    const reading = typeof here === 'string' ? 'a string' : JSON.stringify(here);
    diagnostics.push({
      code: 'FAB016',
      severity: 'warning',
      file,
      line,
      column: col,
      message: `${JSON.stringify(text)} is ${reading} here, but YAML 1.1 tools (Kubernetes, kubectl) read it as ${asYaml11}`,
      hint:
        typeof here === 'string'
          ? `quote it: "${text}"`
          : `write ${reading} if you mean the number, or quote it: "${text}"`,
    });
  }

  const orphan = unresolvedAlias(doc);
  if (orphan) {
    const { line, col } = at(orphan.range?.[0] ?? 0);
    return {
      source,
      diagnostics: [
        ...diagnostics,
        {
          code: 'FAB010',
          severity: 'error',
          file,
          line,
          column: col,
          message: `YAML: alias *${orphan.source} refers to no anchor &${orphan.source} before it`,
          hint: `write &${orphan.source} on the value to repeat, above this line, or write the value out`,
        },
      ],
    };
  }

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    return {
      source,
      diagnostics: [
        ...diagnostics,
        fileDiag(
          file,
          'FAB013',
          `aliases expand too far (${(e as Error).message})`,
          `use at most ${MAX_ALIAS_COUNT} alias expansions; write repeated values out`,
        ),
      ],
    };
  }
  return { loaded: { file, source, doc, lineCounter, data }, source, diagnostics };
}

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
 * diagnostic can say both "used here" and "defined there" (RELIABILITY B1).
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
