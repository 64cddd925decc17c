// What the command line prints and how it exits: diagnostics, errors, exit codes.
// Library stages never import this module; they throw FabricError (compiler/errors.ts)
// and return data, and the commands in compiler/cli/commands/ print it from here.
import { readSync } from 'node:fs';
import { diagnosticsToJSON, formatDiagnostics, type Diagnostic } from '../diagnostics.ts';
import { EXIT, FabricError, SpecInvalidError } from '../errors.ts';
import { JSON_FORMAT } from '../json-format.ts';
import type { Compiled } from '../index.ts';
import { STDIN_SPEC } from '../spec-name.ts';

export { EXIT } from '../errors.ts';

/** The global options (compiler/cli/main.ts): --no-color, --quiet, --verbose. */
export interface GlobalSettings {
  color: boolean;
  quiet: boolean;
  verbose: boolean;
}
const settings: GlobalSettings = { color: true, quiet: false, verbose: false };
export function configureGlobals(next: Partial<GlobalSettings>): void {
  Object.assign(settings, next);
}
export const globals = (): Readonly<GlobalSettings> => settings;

/**
 * Colour on this stream? `--no-color` wins; then FORCE_COLOR (any value but 0 or false forces it,
 * as Node reads it); then NO_COLOR, which an empty value does not set (no-color.org); else a terminal
 * that is not TERM=dumb.
 */
export function useColor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (!settings.color) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !['0', 'false'].includes(force.toLowerCase());
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** A line for people on stdout (a summary, "valid", "up to date"): --quiet drops it. */
export function say(text: string): void {
  if (!settings.quiet) process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

/** A note or warning on stderr: --quiet drops it; errors go through printError. */
export function note(text: string): void {
  if (!settings.quiet) process.stderr.write(text.endsWith('\n') ? text : text + '\n');
}

/** A command's JSON document on stdout, with the format version first (compiler/json-format.ts). */
export function writeJSON(value: object): void {
  process.stdout.write(JSON.stringify({ format: JSON_FORMAT, ...value }, null, 2) + '\n');
}

export function printDiagnostics(ds: Diagnostic[], source: string | undefined, json: boolean): void {
  if (json) {
    process.stdout.write(diagnosticsToJSON(ds) + '\n');
    return;
  }
  // --quiet keeps the errors and drops the warnings.
  if (settings.quiet) ds = ds.filter((d) => d.severity === 'error');
  if (ds.length === 0) return;
  process.stderr.write(formatDiagnostics(ds, { color: useColor(process.stderr), source }) + '\n');
  const errors = ds.filter((d) => d.severity === 'error').length;
  const warnings = ds.length - errors;
  process.stderr.write(
    `\n${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`,
  );
}

/** The spec's text when it comes from standard input (`--spec -`), read once; undefined for a file. */
let stdinText: string | undefined;
export function specText(spec: string, maxBytes: number): string | undefined {
  if (spec !== STDIN_SPEC) return undefined;
  // The loader rejects a spec over maxBytes: one byte more is all it needs to see.
  stdinText ??= readStdin(maxBytes + 1);
  return stdinText;
}

/**
 * Standard input up to `limit` bytes: read whole, `fabric validate - < /dev/zero` never ended (CLI fuzzer).
 */
function readStdin(limit: number): string {
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(64 * 1024);
  for (let total = 0; total < limit;) {
    let n: number;
    try {
      n = readSync(0, buf, 0, Math.min(buf.length, limit - total), null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EOF') break;
      if (code !== 'EAGAIN') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10); // a non-blocking pipe: wait for data
      continue;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
    total += n;
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Compile the spec and print its diagnostics: warnings on stderr when it compiles (none in JSON mode,
 * where the command's own JSON is the output); on errors a SpecInvalidError, which printError reports.
 */
export async function compileAndReport(spec: string, json: boolean): Promise<Compiled> {
  const { compileSpec } = await import('../index.ts');
  const { MAX_SPEC_BYTES } = await import('../load.ts');
  const result = compileSpec(spec, specText(spec, MAX_SPEC_BYTES));
  if (!('model' in result))
    throw new SpecInvalidError(spec, result.diagnostics, result.source ?? result.loaded?.source);
  if (!json) printDiagnostics(result.diagnostics, result.loaded.source, false);
  return result;
}

/** Print a failure and return the exit code. `json`: the command was asked for JSON output. */
export function printError(e: unknown, json: boolean): number {
  if (e instanceof SpecInvalidError) {
    printDiagnostics(e.diagnostics, e.source, json);
    return e.exitCode;
  }
  if (e instanceof FabricError) {
    process.stderr.write(`fabric: ${e.message}\n${e.hint ? `fix: ${e.hint}\n` : ''}`);
    return e.exitCode;
  }
  // A bug in fabric, not a bad spec: say so, with the stack for the report.
  const err = e as Error;
  process.stderr.write(
    `fabric: internal error: ${err?.stack ?? String(e)}\nThis is a bug in fabric; please report it with the spec that caused it.\n`,
  );
  return EXIT.internal;
}
