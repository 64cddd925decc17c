// Diagnostics are data: collected, never thrown at the user. One formatter
// renders them as text with a code frame, another as JSON.
import { createRequire } from 'node:module';
import { JSON_FORMAT } from './json-format.ts';

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  /** Stable code, e.g. FAB101; docs and tests name it. */
  code: string;
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
    const frame = codeFrameColumns(
      opts.source,
      { start: { line: d.line, column: d.column } },
      { highlightCode: opts.color, linesAbove: 1, linesBelow: 1 },
    );
    lines.push(frame.replace(/^/gm, '  '));
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
