// A look at the raw text before the YAML parser: a document whose flow
// collections ([ and {) nest deeper than any fabric.yaml is refused in one
// pass over the text. The parser takes seconds on such a document (40 KB of
// `[` took 2.7 s to parse and locate, issue 19 C1) before it reports that it
// nests too deeply; this finds the same in a millisecond.
//
// The scan errs on the side of letting a document through: quotes and
// comments are skipped as the parser would, and a quote mark inside a plain
// scalar (`it's`) only hides brackets from the count. What it refuses, the
// parser would refuse too.
import { diagnostic, type Diagnostic } from '../diagnostics.ts';

/** Deeper than any fabric.yaml (its deepest flow value is a few levels); far below where the parser slows down. */
export const MAX_FLOW_DEPTH = 64;

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/** The offset of the first bracket past MAX_FLOW_DEPTH, or undefined. */
export function tooDeepAt(source: string): number | undefined {
  let depth = 0;
  let quote = 0; // the open quote mark, or 0
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (quote) {
      if (c === 0x5c && quote === 0x22)
        i++; // \x in a double-quoted scalar
      else if (c === quote) quote = 0;
    } else if (c === 0x22 || c === 0x27) quote = c;
    else if (c === 0x23 && (i === 0 || isSpace(source.charCodeAt(i - 1)))) {
      // A comment: up to the end of the line.
      while (i < source.length && source[i] !== '\n' && source[i] !== '\r') i++;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_FLOW_DEPTH) return i;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return undefined;
}

/** FAB013 at the bracket that goes too deep, located as file:line:col. */
export function prescanDiagnostics(source: string, file: string): Diagnostic[] {
  const offset = tooDeepAt(source);
  if (offset === undefined) return [];
  // Lines as the code frame counts them (compiler/load.ts, countEveryLineBreak).
  let line = 1;
  let lineStart = 0;
  for (const m of source.slice(0, offset).matchAll(/\r\n|[\n\r\u2028\u2029]/g)) {
    line++;
    lineStart = m.index + m[0].length;
  }
  return [
    diagnostic(
      'FAB013',
      file,
      { line, column: offset - lineStart + 1 },
      `YAML: the document nests too deeply to parse ([ and { more than ${MAX_FLOW_DEPTH} deep here)`,
      'a fabric.yaml is only a few levels deep; look for a long run of unclosed [ or {',
    ),
  ];
}
