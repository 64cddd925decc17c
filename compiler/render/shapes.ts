// Parse-back without parsing every file. A YAML template's values reach its
// text only through the `yaml` helper, as JSON-quoted scalars, so two files
// rendered from one template with the same control flow differ only in
// those scalars. While a file renders, the helper writes a token in place of
// each value and records the value; the text with tokens (the skeleton) is
// parsed once by the `yaml` library, checked to hold every token as a whole
// scalar, and each file of that shape is the parsed skeleton with its own
// values put back. A fleet of 300 environments parses about as many YAML
// texts as a fleet of one.
//
// Whatever the check cannot vouch for (a token inside a longer string or a
// comment, a value with characters YAML and JSON treat differently, a
// skeleton that does not parse) takes the full path: the text the helper
// would have written is rebuilt and parsed on its own, with the error it
// gives. Both paths give the same data: tests/render-shapes.test.ts.
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { fastYaml, scalarText, toYaml } from './yaml-emit.ts';

export class RenderError extends Error {}

export type Scalar = string | number | boolean;

/**
 * U+E000 (private use) brackets every token. A value never reaches the
 * skeleton (every splice is a token), so a value cannot forge one; tokens are
 * the same in every run, which lets the build ship shapes parsed in advance.
 */
const MARK = '\uE000';
const TOKEN = new RegExp(`"${MARK}(\\d+)${MARK}"`, 'g');
const WHOLE_TOKEN = new RegExp(`^${MARK}(\\d+)${MARK}$`);
/** Characters a JSON string carries raw that a YAML parser may not read back as themselves. */
const RISKY = /[\u007f-\u009f\u2028\u2029\ufeff\ud800-\udfff\ue000]/;

/** A value the helpers splice: a scalar (`yaml`), or data rendered elsewhere (`data`). */
export type Value = Scalar | object;

/** Collects one file's values while its template renders. */
export class ValueRecorder {
  readonly values: Value[] = [];
  /** The helper's output for `v`: a token in the skeleton. */
  token(v: Value): string {
    this.values.push(v);
    return tokenText(this.values.length - 1);
  }
}

const tokenText = (i: number) => `"${MARK}${i}${MARK}"`;

/** The text the helpers write outside recording: the value as JSON (a YAML scalar or flow collection). */
export const realText = (skeleton: string, values: Value[]) =>
  skeleton.replace(TOKEN, (_, i: string) => JSON.stringify(values[Number(i)]));

/**
 * A parsed skeleton: its documents as data with token strings in place of
 * values, and (made at first use) each document written as YAML with its
 * tokens standing as plain scalars: a file of this shape is then that text
 * with each token replaced by its value as a scalar, no data copied.
 */
interface Shape {
  docs: unknown[];
  texts?: (string | undefined)[];
}

/** One piece of a file: its shape and where its values start. */
interface Piece {
  shape: Shape;
  base: number;
}

/** A document marker line: documents are shapes of their own (a file with an AppProject per environment is one shape repeated). */
const DOCUMENT_MARKER = /^---$/m;

/** Far more distinct shapes than one fleet has (cumulative: the reference 67, then 100 and 300 environments add 5). */
const MAX_SHAPES = 5000;

/** A token as the emitter writes it: a plain scalar. */
const WRITTEN_TOKEN = new RegExp(`${MARK}(\\d+)${MARK}`, 'g');

export class ShapeCache {
  private readonly shapes = new Map<string, Shape | null>();

  /** `parsed`: shapes parsed in advance (scripts/build.mjs), by skeleton. */
  constructor(parsed: Record<string, unknown[]> = {}) {
    for (const [key, docs] of Object.entries(parsed)) this.shapes.set(key, { docs });
  }

  /** Every shape parsed so far that JSON carries unchanged, for the build to ship. */
  parsedShapes(): Record<string, unknown[]> {
    const out: Record<string, unknown[]> = {};
    for (const [key, shape] of [...this.shapes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (shape && isDeepStrictEqual(JSON.parse(JSON.stringify(shape.docs)), shape.docs)) out[key] = shape.docs;
    }
    return out;
  }

  /** The canonical YAML of the file whose template rendered `skeleton` while recording `values`. */
  canonical(skeleton: string, values: Value[], where: string): string {
    const plan = this.plan(skeleton, values);
    if (!plan) return canonicalYaml(realText(skeleton, values), where);
    const out: string[] = [];
    try {
      for (const { shape, base } of plan.pieces) {
        shape.texts ??= shape.docs.map(writtenWithTokens);
        shape.docs.forEach((doc, k) => {
          const text = shape.texts![k];
          out.push(
            (text !== undefined && substitute(text, plan.values, base)) || toYaml(fill(doc, plan.values, base, where)),
          );
        });
      }
    } catch (e) {
      if (e === NEEDS_TEXT) return canonicalYaml(realText(skeleton, values), where);
      throw e;
    }
    return out.join('---\n');
  }

  /** The file's documents as data (what parsing the text the helpers would have written gives). */
  documents(skeleton: string, values: Value[], where: string): unknown[] {
    const plan = this.plan(skeleton, values);
    if (!plan) return parseDocs(realText(skeleton, values), where);
    const out: unknown[] = [];
    try {
      for (const { shape, base } of plan.pieces)
        for (const d of shape.docs) out.push(fill(d, plan.values, base, where));
    } catch (e) {
      if (e === NEEDS_TEXT) return parseDocs(realText(skeleton, values), where);
      throw e;
    }
    return out;
  }

  /** The file's pieces with their shapes, or null where only its own text will do. */
  private plan(skeleton: string, values: Value[]): { pieces: Piece[]; values: Value[] } | null {
    if (values.some((v) => typeof v === 'string' && RISKY.test(v))) return null;
    const pieces: Piece[] = [];
    const texts = skeleton.split(DOCUMENT_MARKER);
    for (const text of texts) {
      // Tokens renumbered from 0 within the piece, so that equal pieces share
      // a shape; a file of one piece already counts from 0.
      let base = texts.length === 1 ? 0 : -1;
      let count = texts.length === 1 ? values.length : 0;
      const key =
        texts.length === 1
          ? text
          : text.replace(TOKEN, (_, i: string) => {
              if (base < 0) base = Number(i);
              return tokenText(Number(i) - base === count ? count++ : -1);
            });
      let shape = this.shapes.get(key);
      if (shape === undefined) {
        // A long-lived process (the fuzzer, tests) renders many fleets: keep the cache bounded.
        if (this.shapes.size >= MAX_SHAPES) this.shapes.clear();
        this.shapes.set(key, (shape = parseShape(key, count)));
      }
      if (shape === null) return null;
      pieces.push({ shape, base });
    }
    // A value becomes what the YAML parser would have made of its JSON text.
    return { pieces, values: values.map((v) => (typeof v === 'number' ? JSON.parse(JSON.stringify(v)) : v)) };
  }
}

/** Calls visit on every mapping key and every string value of parsed data. */
function eachString(v: unknown, visit: (s: string, isKey: boolean) => void): void {
  if (typeof v === 'string') visit(v, false);
  else if (Array.isArray(v)) for (const x of v) eachString(x, visit);
  else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      visit(k, true);
      eachString(x, visit);
    }
  }
}

/** Tokens are written plain; were one ever quoted, substituting into it would garble the value. */
const QUOTED_TOKEN = new RegExp(`["']${MARK}`);

/** A document written with its tokens as plain scalars; undefined where a token is a key (keys need the duplicate check of fill). */
function writtenWithTokens(doc: unknown): string | undefined {
  let tokenKey = false;
  eachString(doc, (s, isKey) => {
    if (isKey && s.includes(MARK)) tokenKey = true;
  });
  const text = tokenKey ? undefined : fastYaml(doc);
  return text === undefined || QUOTED_TOKEN.test(text) ? undefined : text;
}

/** The written document with each token replaced by its value as a scalar; undefined where a value is no one-line scalar. */
function substitute(text: string, values: Value[], base: number): string | undefined {
  let ok = true;
  const out = text.replace(WRITTEN_TOKEN, (_, i: string) => {
    const v = values[base + Number(i)];
    const s = typeof v === 'object' ? undefined : scalarText(v);
    if (s === undefined) ok = false;
    return s ?? '';
  });
  return ok ? out : undefined;
}

/** Parse a rendered YAML text and re-serialise it canonically; throws on anything but clean YAML. */
export function canonicalYaml(text: string, where: string): string {
  return parseDocs(text, where).map(toYaml).join('---\n');
}

/** Every document of a rendered YAML text as data; throws on anything but clean YAML. */
export function parseDocs(text: string, where: string): unknown[] {
  const docs = parseAllDocuments(text, { version: '1.2', uniqueKeys: true });
  if (!Array.isArray(docs)) throw new RenderError(`${where}: rendered YAML is empty`);
  const out: unknown[] = [];
  for (const doc of docs) {
    if (doc.errors.length) throw new RenderError(`${where}: rendered YAML does not parse: ${doc.errors[0].message}`);
    const value = doc.toJS({ maxAliasCount: 0 });
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

/** The skeleton as data, or null when it does not hold each of its `count` tokens exactly once as a whole scalar. */
function parseShape(skeleton: string, count: number): Shape | null {
  let docs: unknown[];
  try {
    docs = parseDocs(skeleton, 'skeleton');
  } catch {
    return null; // the full path reports the real text's error
  }
  const seen = new Array<boolean>(count).fill(false);
  let whole = true;
  const visit = (s: string) => {
    if (!s.includes(MARK)) return;
    const m = WHOLE_TOKEN.exec(s);
    const i = m ? Number(m[1]) : -1;
    if (i < 0 || i >= count || seen[i]) whole = false;
    else seen[i] = true;
  };
  for (const doc of docs) eachString(doc, visit);
  return whole && seen.every(Boolean) ? { docs } : null;
}

/** Thrown by fill where only the file's own text can say what the parser makes of it. */
const NEEDS_TEXT = Symbol('parse the text');

const tokenIndex = (s: string) => (s.charCodeAt(0) === 0xe000 ? Number(WHOLE_TOKEN.exec(s)![1]) : -1);

/** A copy of the skeleton's data with token i replaced by values[base + i]. */
function fill(v: unknown, values: Value[], base: number, where: string): unknown {
  if (typeof v === 'string') {
    const i = tokenIndex(v);
    return i < 0 ? v : values[base + i];
  }
  if (Array.isArray(v)) return v.map((x) => fill(x, values, base, where));
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const i = tokenIndex(k);
    const value = i < 0 ? k : values[base + i];
    // A key from a number, a boolean or data is what the parser makes of it: ask the parser.
    if (typeof value !== 'string') throw NEEDS_TEXT;
    const key = value;
    // The real text would have had this key twice, which the parser rejects.
    if (Object.hasOwn(out, key))
      throw new RenderError(`${where}: rendered YAML does not parse: Map keys must be unique ("${key}")`);
    // As the yaml library does: __proto__ is a key, not the prototype.
    const filled = fill(x, values, base, where);
    if (key === '__proto__')
      Object.defineProperty(out, key, { value: filled, writable: true, enumerable: true, configurable: true });
    else out[key] = filled;
  }
  return out;
}
