// Shared by tests/fault-catalog-*.test.ts (one test per row of the fault
// catalog, docs/reliability.md): the CLI as a user runs it
// (`node bin/fabric.cjs` over a dist/ that is not older than the sources),
// specs written to temp dirs, and the reference spec with edits.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { parseDocument } from 'yaml';
import type { Diagnostic } from '../compiler/diagnostics.ts';
import type { PathSegment } from '../compiler/load.ts';
import { fromRoot, repoRoot } from './helpers/paths.ts';

export const REFERENCE = readFileSync(fromRoot('spec/fabric.yaml'), 'utf8');
/** Only a guard against a hung run; how fast is measured in scripts/bench. */
const GUARD_MS = 180_000;
export const STACK_FRAME = /^ {4}at /m;

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

const newestMtime = (dir: string) => {
  let newest = 0;
  for (const e of readdirSync(fromRoot(dir), { withFileTypes: true, recursive: true })) {
    if (e.isFile() && /\.(ts|json|hbs)$/.test(e.name))
      newest = Math.max(newest, statSync(join(e.parentPath, e.name)).mtimeMs);
  }
  return newest;
};

let bundleChecked = false;
/** dist/ is what bin/fabric.cjs runs; rebuild it when a source is newer (as tests/validate-fixtures.test.ts does). */
function ensureBundle(): void {
  if (bundleChecked) return;
  let built = 0;
  try {
    built = statSync(fromRoot('dist/fabric.cjs')).mtimeMs;
  } catch {
    /* not built yet */
  }
  if (built <= Math.max(newestMtime('compiler'), newestMtime('schema'), newestMtime('templates'))) {
    const r = spawnSync(process.execPath, ['scripts/build.mjs'], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: GUARD_MS,
    });
    if (r.status !== 0) throw new Error(`scripts/build.mjs failed:\n${r.stderr}`);
  }
  bundleChecked = true;
}

/**
 * `fabric <args>` through bin/fabric.cjs; colour off, as on a pipe. With `fileSizeLimitKb`, under
 * `ulimit -f`: a write past the limit comes back short, the next one fails with EFBIG (Node ignores SIGXFSZ).
 */
export function fabric(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; fileSizeLimitKb?: number } = {},
): Run {
  ensureBundle();
  const command = [process.execPath, fromRoot('bin/fabric.cjs'), ...args];
  const [file, ...argv] =
    opts.fileSizeLimitKb === undefined
      ? command
      : ['bash', '-c', 'ulimit -f "$0" && exec "$@"', String(opts.fileSizeLimitKb), ...command];
  const r = spawnSync(file, argv, {
    cwd: opts.cwd ?? repoRoot,
    encoding: 'utf8',
    timeout: GUARD_MS,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The same, started in the background (for a signal mid-run). */
export function fabricChild(args: string[], env: NodeJS.ProcessEnv) {
  ensureBundle();
  const child = spawn(process.execPath, [fromRoot('bin/fabric.cjs'), ...args], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run = { output: '', code: undefined as number | null | undefined };
  child.stdout.on('data', (d) => (run.output += d));
  child.stderr.on('data', (d) => (run.output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve((run.code = code))));
  return { child, run, exited };
}

/** The diagnostics of a `--json` run; fails the test when stdout is not that JSON. */
export function diagnostics(run: Run): Diagnostic[] {
  try {
    return (JSON.parse(run.stdout) as { diagnostics: Diagnostic[] }).diagnostics;
  } catch {
    throw new Error(`--json did not print diagnostics:\n${run.stdout}\n${run.stderr}`);
  }
}

/** code line:column of each diagnostic. */
export const where = (ds: Diagnostic[]) => ds.map((d) => `${d.code} ${d.line}:${d.column}`);

/** No stack trace reached the user, and the exit code is the one expected. */
export function exits(run: Run, code: number): void {
  assert.not.match(run.stdout + run.stderr, STACK_FRAME, 'a stack trace reached the user');
  assert.is(run.status, code, `exit code\n${run.stdout}\n${run.stderr}`);
}

export const tempDir = (prefix = 'fabric-catalog-') => mkdtempSync(join(tmpdir(), prefix));

/** Writes a spec into a fresh temp dir and returns its path. */
export function writeSpec(text: string, dir = tempDir()): string {
  const file = join(dir, 'fabric.yaml');
  writeFileSync(file, text);
  return file;
}

/** `fabric validate --json` of a spec text. */
export const validate = (text: string) => fabric(['validate', '--json', '--spec', writeSpec(text)]);

/** The reference spec with values set (undefined deletes), comments and layout kept. */
export function edited(...changes: [PathSegment[], unknown][]): string {
  const doc = parseDocument(REFERENCE);
  for (const [path, value] of changes) {
    if (value === undefined) doc.deleteIn(path);
    else doc.setIn(path, doc.createNode(value));
  }
  return doc.toString();
}

/** 1-based line and column of the nth occurrence of `needle`. */
export function positionOf(source: string, needle: string, nth = 0): { line: number; column: number } {
  let offset = -1;
  for (let i = 0; i <= nth; i++) offset = source.indexOf(needle, offset + 1);
  assert.ok(offset >= 0, `${needle} not in source`);
  const before = source.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}
