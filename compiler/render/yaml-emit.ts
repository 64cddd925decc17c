// YAML serialisation of plain data (objects, arrays, strings, numbers,
// booleans, null): byte for byte what the `yaml` library writes with
// YAML_OPTIONS, in a fraction of its time. The library stays the reference:
// a scalar this module cannot prove it writes the same way is asked of the
// library (and remembered), and anything else it does not handle (multi-line
// strings, long keys, non-finite numbers, class instances) sends the whole
// value to the library. tests/yaml-emit.test.ts compares the two on every
// golden tree and on generated values.
import { Document, stringify, type Schema } from 'yaml';

/** YAML-1.1-safe quoting (yes/no/on stay strings for Kubernetes), no line folding. */
export const YAML_OPTIONS = {
  compat: 'yaml-1.1',
  lineWidth: 0,
  minContentWidth: 0,
  aliasDuplicateObjects: false,
} as const;

export const libraryYaml = (value: unknown): string => stringify(value, YAML_OPTIONS);

/** toYaml(value) === libraryYaml(value), faster. */
export function toYaml(value: unknown): string {
  const fast = fastYaml(value);
  return fast === undefined ? libraryYaml(value) : fast;
}

/** The fast path alone: undefined where it would not match the library (exported for the tests). */
export function fastYaml(value: unknown): string | undefined {
  const lines: string[] = [];
  try {
    if (isCollection(value) && !isEmpty(value)) collection(value, '', lines);
    else lines.push(inline(value));
  } catch (e) {
    if (e === UNSUPPORTED) return undefined;
    throw e;
  }
  return lines.join('\n') + '\n';
}

const UNSUPPORTED = Symbol('unsupported by the fast path');

/** A scalar as the library writes it as a value on one line, or undefined where the fast path cannot say. */
export function scalarText(v: string | number | boolean | null): string | undefined {
  try {
    return inline(v);
  } catch (e) {
    if (e === UNSUPPORTED) return undefined;
    throw e;
  }
}

type Collection = unknown[] | Record<string, unknown>;

function isCollection(v: unknown): v is Collection {
  if (Array.isArray(v)) return true;
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) throw UNSUPPORTED;
  return true;
}

// A pair with an undefined value is left out, so a mapping of only those is empty.
function isEmpty(v: Collection): boolean {
  if (Array.isArray(v)) return v.length === 0;
  for (const k in v) if (v[k] !== undefined) return false;
  return true;
}

/** A block collection at `indent`, one line per entry (nested collections on the following lines). */
function collection(v: Collection, indent: string, lines: string[]) {
  const inner = indent + '  ';
  if (Array.isArray(v)) {
    for (const item of v) {
      if (isCollection(item) && !isEmpty(item)) {
        // "- " takes the place of the nested collection's own first indent.
        const first = lines.length;
        collection(item, inner, lines);
        lines[first] = `${indent}- ${lines[first].slice(inner.length)}`;
      } else {
        lines.push(`${indent}- ${inline(item === undefined ? null : item)}`);
      }
    }
    return;
  }
  for (const key of Object.keys(v)) {
    const item = v[key];
    if (item === undefined) continue; // the library omits the pair
    const k = keyText(key);
    if (isCollection(item) && !isEmpty(item)) {
      lines.push(`${indent}${k}:`);
      // Sequences in a mapping are indented one step too (the library's indentSeq).
      collection(item, inner, lines);
    } else {
      lines.push(`${indent}${k}: ${inline(item)}`);
    }
  }
}

/** A value written on its line: a scalar, or an empty collection in flow style. */
function inline(v: unknown): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return scalar(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(v) || Object.is(v, -0)) throw UNSUPPORTED;
      return JSON.stringify(v);
    case 'object':
      if (isCollection(v)) return Array.isArray(v) ? '[]' : '{}';
  }
  throw UNSUPPORTED;
}

function keyText(key: string): string {
  // The library writes a key over 1024 characters as an explicit `? key`.
  if (key.length > 1024) throw UNSUPPORTED;
  return scalar(key);
}

// How the library writes a one-line string in block context (yaml 2.x,
// stringifyString.js): plain, unless it starts with an indicator, holds ": "
// or " #", ends in a space or colon, or a tag of the YAML 1.2 core or 1.1
// schema would read it as something else (bool, null, a number such as e1);
// then single-quoted if it holds " but not ', else double-quoted as JSON
// writes it. Strings with control characters, surrogates or document markers
// (%, ---, ...) are asked of the library; multi-line ones leave the fast path.
// tests/yaml-emit.test.ts holds this to the library.
const NOT_PLAIN = /^[\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|:[ \t]|[\t ]#|[\t :]$/;
// (The m flag as the library's: a marker after U+2028 or U+2029 counts too.)
const ASK_LIBRARY = /[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]|^(?:%|---|\.\.\.)/m;
// The tags' tests as one alternation: one pass over a string instead of 22
// (none has flags; each keeps its own anchors).
const TYPED: RegExp = (() => {
  const schema = new Document(null, YAML_OPTIONS).schema as Schema & { compat?: Schema['tags'] };
  const tests = [...schema.tags, ...(schema.compat ?? [])]
    .filter((t) => t.default && t.tag !== 'tag:yaml.org,2002:str')
    .flatMap((t) => ('test' in t && t.test ? [t.test] : []));
  if (tests.some((re) => re.flags !== '')) throw new Error('a YAML tag test with flags cannot join the alternation');
  return new RegExp(tests.map((re) => `(?:${re.source})`).join('|'));
})();
const written = new Map<string, string>();

function scalar(s: string): string {
  let text = written.get(s);
  if (text !== undefined) return text;
  // A line break: a block scalar, or quoted over lines; both depend on the indentation.
  if (s.includes('\n') || s.includes('\r')) throw UNSUPPORTED;
  if (ASK_LIBRARY.test(s)) {
    text = libraryYaml(s).slice(0, -1);
    // One line in, one line out (a document marker at the top level comes back as a block).
    if (text.includes('\n')) throw UNSUPPORTED;
  } else if (!NOT_PLAIN.test(s) && !TYPED.test(s)) {
    text = s;
  } else {
    text = s.includes('"') && !s.includes("'") ? `'${s}'` : JSON.stringify(s);
  }
  written.set(s, text);
  return text;
}
