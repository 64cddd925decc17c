// Diagnostics are data: collected, never thrown at the user. One formatter
// renders them as text with a code frame, another as JSON.
import { createRequire } from 'node:module';
import { CATALOG, type Code, type Severity } from './diagnostic-catalog.ts';
import { JSON_FORMAT } from './json-format.ts';

export type { Code, Severity };

export interface Diagnostic {
  /** Stable code from compiler/diagnostic-catalog.ts, e.g. FAB101; docs and tests name it. */
  code: Code;
  severity: Severity;
  file: string;
  /** 1-based; 0 when the problem concerns the whole file. */
  line: number;
  column: number;
  message: string;
  /** What would fix it. */
  hint?: string;
  /** A second place the problem involves (the other side of a collision). */
  related?: { line: number; column: number; message: string };
}

/** A diagnostic whose severity is the one its code has in the catalog. */
export function diagnostic(
  code: Code,
  file: string,
  at: { line: number; column: number },
  message: string,
  hint: string = CATALOG[code].fix,
): Diagnostic {
  return { code, severity: CATALOG[code].severity, file, line: at.line, column: at.column, message, hint };
}

/** A diagnostic about the whole file (line 0). */
export const fileDiagnostic = (code: Code, file: string, message: string, hint?: string): Diagnostic =>
  diagnostic(code, file, { line: 0, column: 0 }, message, hint);

/** At most this many diagnostics are reported; the rest are counted in one FAB100. */
export const MAX_DIAGNOSTICS = 50;

/**
 * Drops repeats (same code, place and message) and keeps the first `max`,
 * counting the rest in one FAB100: a garbage file can yield tens of thousands
 * of parse errors, and printing each with a code frame is megabytes. Counts
 * `dropped` (problems a stage did not even turn into diagnostics) too.
 */
export function capDiagnostics(
  ds: readonly Diagnostic[],
  file: string,
  { dropped = 0, what = 'problems', max = MAX_DIAGNOSTICS }: { dropped?: number; what?: string; max?: number } = {},
): Diagnostic[] {
  const seen = new Set<string>();
  const kept: Diagnostic[] = [];
  let more = dropped;
  for (const d of ds) {
    const key = `${d.code}:${d.line}:${d.column}:${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (kept.length < max) kept.push(d);
    else more++;
  }
  if (more > 0)
    kept.push(
      fileDiagnostic('FAB100', file, `${more} more ${what} not shown`, 'fix the errors above and validate again'),
    );
  return kept;
}

export const hasErrors = (ds: readonly Diagnostic[]): boolean => ds.some((d) => d.severity === 'error');

export function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return ds.sort(
    (a, b) =>
      a.line - b.line || a.column - b.column || a.code.localeCompare(b.code) || a.message.localeCompare(b.message),
  );
}

// Loaded at the first code frame: a run without diagnostics never needs it.
let codeFrame: typeof import('@babel/code-frame').codeFrameColumns | undefined;
const codeFrameColumns: typeof import('@babel/code-frame').codeFrameColumns = (...args) =>
  (codeFrame ??= (createRequire(import.meta.url)('@babel/code-frame') as typeof import('@babel/code-frame'))
    .codeFrameColumns)(...args);

/** Source lines longer than this are shown as a window around the column. */
export const MAX_FRAME_LINE = 160;

/**
 * The code frame of one line and its neighbours. Only those lines are handed
 * to the frame library (a 1 MiB file is not split per diagnostic), and each is
 * cut to a window around the column, so a 40 KB line prints about 160 characters.
 */
function frame(source: string, line: number, column: number, color: boolean): string {
  const first = Math.max(1, line - 1);
  const excerpt: string[] = [];
  const lineBreak = /\r\n|[\n\r\u2028\u2029]/g;
  let offset = 0;
  for (let n = 1; n <= line + 1; n++) {
    lineBreak.lastIndex = offset;
    const m = lineBreak.exec(source);
    const end = m ? m.index : source.length;
    if (n >= first) excerpt.push(source.slice(offset, end));
    if (!m) break;
    offset = end + m[0].length;
  }
  const start = Math.max(
    0,
    Math.min(column - 1 - MAX_FRAME_LINE / 2, (excerpt[line - first]?.length ?? 0) - MAX_FRAME_LINE),
  );
  const cut = (text: string) =>
    text.length <= MAX_FRAME_LINE
      ? text
      : `${start > 0 ? '…' : ''}${text.slice(start, start + MAX_FRAME_LINE)}${text.length > start + MAX_FRAME_LINE ? '…' : ''}`;
  return codeFrameColumns(
    excerpt.map(cut).join('\n'),
    { start: { line, column: column - start + (start > 0 ? 1 : 0) } },
    { highlightCode: color, linesAbove: 1, linesBelow: 1, startLine: first } as Parameters<typeof codeFrameColumns>[2],
  );
}

export interface FormatOptions {
  color: boolean;
  /** Source text, for the code frame. */
  source?: string;
}

export function formatDiagnostic(d: Diagnostic, opts: FormatOptions): string {
  const paint = (code: string, s: string) => (opts.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.column}` : d.file;
  const label = d.severity === 'error' ? paint('31;1', 'error') : paint('33;1', 'warning');
  const lines = [`${paint('1', where)} ${label} ${paint('2', d.code)} ${d.message}`];
  if (opts.source !== undefined && d.line > 0) {
    lines.push(frame(opts.source, d.line, d.column, opts.color).replace(/^/gm, '  '));
  }
  if (d.related)
    lines.push(`  ${paint('2', `see ${d.file}:${d.related.line}:${d.related.column}: ${d.related.message}`)}`);
  if (d.hint) lines.push(`  ${paint('36', 'fix:')} ${d.hint}`);
  return lines.join('\n');
}

export function formatDiagnostics(ds: readonly Diagnostic[], opts: FormatOptions): string {
  return ds.map((d) => formatDiagnostic(d, opts)).join('\n\n');
}

export function diagnosticsToJSON(ds: readonly Diagnostic[]): string {
  return JSON.stringify(
    {
      format: JSON_FORMAT,
      diagnostics: ds,
      errors: ds.filter((d) => d.severity === 'error').length,
      warnings: ds.filter((d) => d.severity === 'warning').length,
    },
    null,
    2,
  );
}
