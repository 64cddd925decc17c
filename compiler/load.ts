// Stage 1: read fabric.yaml and parse it as YAML 1.2, keeping source positions
// so that every later diagnostic can name file:line:col. The steps live in
// compiler/load/: read.ts (the file), yaml-errors.ts (parse errors),
// structure.ts (what YAML allows but fabric.yaml does not), locate.ts (paths
// to positions, for the checks after this stage).
import { LineCounter, parseDocument, type Document } from 'yaml';
import { capDiagnostics, fileDiagnostic, type Diagnostic } from './diagnostics.ts';
import { prescanDiagnostics } from './load/prescan.ts';
import { readSpecFile } from './load/read.ts';
import type { LoadResult } from './load/types.ts';
import { constructDiagnostics, orphanAliasDiagnostics, topLevelDiagnostics, yaml11Warnings } from './load/structure.ts';
import { cstTokens, syntaxDiagnostics, type At, type CstToken } from './load/yaml-errors.ts';

export { aliasOrigin, locate, sourceText, type PathSegment } from './load/locate.ts';
export { locateWithin } from './load/locate-within.ts';
export type { LoadedSpec, LoadResult } from './load/types.ts';

/** Larger specs are refused before parsing: a fleet spec is a few kilobytes. */
export const MAX_SPEC_BYTES = 1024 * 1024;
/** Aliases are allowed, but expanding them is bounded (a billion-laughs document). */
const MAX_ALIAS_COUNT = 100;

export function loadSpecFile(file: string): LoadResult {
  const read = readSpecFile(file, MAX_SPEC_BYTES);
  return read.diagnostics ? { diagnostics: read.diagnostics } : loadSpecSource(read.source, file);
}

/** One parse of a source: the document, positions, and the token list when a step needs it. */
interface Parsed {
  source: string;
  file: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  at: At;
  cst: () => CstToken[];
}

export function loadSpecSource(source: string, file: string): LoadResult {
  if (Buffer.byteLength(source) > MAX_SPEC_BYTES)
    return { diagnostics: [fileDiagnostic('FAB002', file, `spec is larger than ${MAX_SPEC_BYTES} bytes`)] };
  const tooDeep = prescanDiagnostics(source, file);
  if (tooDeep.length > 0) return { source, diagnostics: tooDeep };
  const parsed = parse(source, file);
  if ('diagnostics' in parsed) return parsed;

  const syntax = syntaxDiagnostics(parsed.doc, file, parsed.at, parsed.cst);
  if (syntax.diagnostics.length > 0)
    return {
      source,
      diagnostics: capDiagnostics(syntax.diagnostics, file, { dropped: syntax.more, what: 'YAML errors' }),
    };
  const topLevel = topLevelDiagnostics(parsed.doc, file, parsed.at);
  if (topLevel.length > 0) return { source, diagnostics: topLevel };
  const constructs = constructDiagnostics(parsed.doc, file, parsed.at, parsed.cst);
  if (constructs.length > 0) return { source, diagnostics: capDiagnostics(constructs, file) };

  const diagnostics = [
    ...yaml11Warnings(parsed.doc, source, file, parsed.at),
    ...orphanAliasDiagnostics(parsed.doc, file, parsed.at),
  ];
  if (diagnostics.some((d) => d.severity === 'error'))
    return { source, diagnostics: capDiagnostics(diagnostics, file) };
  return toData(parsed, capDiagnostics(diagnostics, file));
}

function parse(source: string, file: string): Parsed | { diagnostics: Diagnostic[] } {
  const lineCounter = new LineCounter();
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
        fileDiagnostic(
          'FAB013',
          file,
          `the YAML parser gave up: ${(e as Error).message}`,
          'the document nests too deeply to be a fabric.yaml',
        ),
      ],
    };
  }
  countEveryLineBreak(lineCounter, source);
  let tokens: CstToken[] | undefined;
  const at: At = (offset) => {
    const { line, col } = lineCounter.linePos(Math.min(offset, source.length));
    return { line, column: col };
  };
  return { source, file, doc, lineCounter, at, cst: () => (tokens ??= cstTokens(source)) };
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

/** The plain data, with alias expansion bounded. */
function toData({ source, file, doc, lineCounter }: Parsed, diagnostics: Diagnostic[]): LoadResult {
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    return {
      source,
      diagnostics: [
        ...diagnostics,
        fileDiagnostic(
          'FAB013',
          file,
          `aliases expand too far (${(e as Error).message})`,
          `use at most ${MAX_ALIAS_COUNT} alias expansions; write repeated values out`,
        ),
      ],
    };
  }
  return { loaded: { file, source, doc, lineCounter, data }, source, diagnostics };
}
