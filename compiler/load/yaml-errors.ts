// The YAML parser's errors as located diagnostics: the right code and hint for
// each kind, the place to fix for an unclosed quote or bracket (where it opens,
// not where the parser gave up), and both places of a duplicate key.
import { isScalar, Parser, visit, type Document, type Scalar, type YAMLError } from 'yaml';
import { diagnostic, MAX_DIAGNOSTICS, type Code, type Diagnostic } from '../diagnostics.ts';

const YAML_CODES: Record<string, { code: Code; hint: string; message?: string }> = {
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
 * names only the second, and the fix may be at either.
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

export interface CstToken {
  type: string;
  offset: number;
  source?: string;
  end?: { type: string }[];
}

/** Every token of the concrete syntax tree, in source order (for what the composed document no longer shows). */
export function cstTokens(source: string): CstToken[] {
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

/** A position in the source, 1-based, for a character offset. */
export type At = (offset: number) => { line: number; column: number };

/**
 * The first MAX_DIAGNOSTICS parse errors as diagnostics, and how many more
 * there were (a page of garbage yields one error per few characters; each
 * costs a look through the token list, so only those shown are examined).
 */
export function syntaxDiagnostics(
  doc: Document.Parsed,
  file: string,
  at: At,
  cst: () => CstToken[],
): { diagnostics: Diagnostic[]; more: number } {
  const errors = yamlErrors(doc);
  const diagnostics = errors.slice(0, MAX_DIAGNOSTICS).map((err) => syntaxDiagnostic(doc, file, at, cst, err));
  return { diagnostics, more: Math.max(0, errors.length - MAX_DIAGNOSTICS) };
}

function syntaxDiagnostic(
  doc: Document.Parsed,
  file: string,
  at: At,
  cst: () => CstToken[],
  err: YAMLError,
): Diagnostic {
  const opening = unclosedOpening(cst, err);
  const known = YAML_CODES[err.code];
  const message =
    err.code === 'RESOURCE_EXHAUSTION' && /call stack/i.test(err.message)
      ? 'the document nests too deeply to parse'
      : (known?.message ?? err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, ''));
  const hint =
    opening !== undefined
      ? 'this opens here and is never closed; close it, or check the indentation of the lines after it'
      : (known?.hint ?? 'fix the YAML syntax at this position');
  const d = diagnostic(known?.code ?? 'FAB010', file, at(opening ?? err.pos[0]), `YAML: ${message}`, hint);
  const first = err.code === 'DUPLICATE_KEY' ? firstKeyRepeatedAt(doc, err.pos[0]) : undefined;
  if (first) d.related = { ...at(first.range![0]), message: `the first ${JSON.stringify(String(first.value))}` };
  return d;
}
