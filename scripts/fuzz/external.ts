// The invariants that need the outside world: the real CLI as a child
// process (exit codes, what it prints, what it writes), and the verify stage
// (kubectl kustomize, schemas, promtool) over an emitted tree.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { RenderedFile } from '../../compiler/emit-types.ts';
import { emitTree, manifestFile } from '../../compiler/emit.ts';
import type { Model } from '../../compiler/model/index.ts';
import { verifyOptions, verifyTargets } from '../../compiler/targets.ts';
import { verifyTree } from '../../compiler/verify/index.ts';
import { findExecutable } from '../../compiler/verify/tools.ts';
import { FILE_LEVEL_CODES, SPEC_NAME, type CaseResult, type Violation } from './pipeline.ts';

const repoRoot = new URL('../../', import.meta.url).pathname;
const BUNDLE = join(repoRoot, 'dist/fabric.cjs');
const BIN = join(repoRoot, 'bin/fabric.cjs');
/** A compile that runs longer than this is a hang, not a slow run. */
const CLI_TIMEOUT_MS = 120_000;

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(join(repoRoot, dir), { withFileTypes: true, recursive: true })) {
    if (e.isFile() && /\.(ts|json|hbs)$/.test(e.name))
      newest = Math.max(newest, statSync(join(e.parentPath, e.name)).mtimeMs);
  }
  return newest;
}

/** Builds dist/fabric.cjs when it is missing or older than its sources (what `npm run build` does). */
export function ensureBundle(): void {
  let built = 0;
  try {
    built = statSync(BUNDLE).mtimeMs;
  } catch {
    /* not built yet */
  }
  if (built > Math.max(newestSource('compiler'), newestSource('schema'), newestSource('templates'))) return;
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: CLI_TIMEOUT_MS,
  });
  if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stderr}`);
}

function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile())
      out.set(
        relative(dir, join(e.parentPath, e.name)).split('\\').join('/'),
        readFileSync(join(e.parentPath, e.name), 'utf8'),
      );
  }
  return out;
}

/** What the seed keeps beside its spec (resource directories), copied so relative paths resolve as in process. */
function copySiblings(specDir: string, dir: string): void {
  for (const name of readdirSync(specDir))
    if (name !== SPEC_NAME && name !== 'expected') cpSync(join(specDir, name), join(dir, name), { recursive: true });
}

/** `fabric compile` on the case's bytes: exit 0 or 1, no stack, located errors, and the tree the in-process render made. */
export function cliProblems(bytes: Buffer, inProcess: CaseResult, specDir: string): Violation[] {
  const dir = mkdtempSync(join(tmpdir(), 'fabric-fuzz-'));
  try {
    copySiblings(specDir, dir);
    writeFileSync(join(dir, SPEC_NAME), bytes);
    const r = spawnSync(process.execPath, [BIN, 'compile', '--spec', SPEC_NAME, '--out', 'out'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: CLI_TIMEOUT_MS,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    const out: Violation[] = [];
    const v = (invariant: string, detail: string) => out.push({ invariant, detail });
    const tail = (s: string) => s.trim().split('\n').slice(-6).join('\n');
    if (r.error || r.signal) return [{ invariant: 'cli-hang', detail: `${r.error?.message ?? ''} signal ${r.signal}` }];
    if (r.status !== 0 && r.status !== 1) v('cli-exit-code', `exit ${r.status}:\n${tail(r.stderr)}`);
    if (/^ {4}at /m.test(r.stderr)) v('cli-stack-trace', tail(r.stderr));
    if (/internal error/i.test(r.stderr)) v('cli-internal-error', tail(r.stderr));
    if (r.status === 1) {
      const located = new RegExp(
        `^${SPEC_NAME}:[1-9][0-9]*:[1-9][0-9]* error FAB[0-9]{3} |^${SPEC_NAME} error (${[...FILE_LEVEL_CODES].join('|')}) `,
        'm',
      );
      if (!located.test(r.stderr)) v('cli-unlocated', `exit 1 without a located error:\n${tail(r.stderr)}`);
    }
    if ((r.status === 0) !== inProcess.valid)
      v(
        'cli-disagrees',
        `the CLI exits ${r.status}, in process the spec is ${inProcess.valid ? 'valid' : `rejected at ${inProcess.stage}`}`,
      );
    if (r.status === 0 && inProcess.files) {
      const want = new Map(
        [...inProcess.files, manifestFile(inProcess.files, { specPath: SPEC_NAME, specSource: inProcess.source })].map(
          (f) => [f.path, f.contents],
        ),
      );
      const got = readTree(join(dir, 'out'));
      const differ = [...new Set([...want.keys(), ...got.keys()])].filter((p) => want.get(p) !== got.get(p));
      if (differ.length)
        v(
          'cli-tree-differs',
          `the written tree differs from the in-process render in ${differ.length} files, e.g. ${differ.slice(0, 3).join(', ')}`,
        );
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const haveKubectl = async (): Promise<boolean> => (await findExecutable('kubectl')) !== undefined;

/** The verify stage over the emitted tree reports no error. */
export async function verifyProblems(files: RenderedFile[], model: Model, source: string): Promise<Violation[]> {
  const dir = mkdtempSync(join(tmpdir(), 'fabric-fuzz-verify-'));
  try {
    const root = join(dir, 'out');
    emitTree(files, root, { specPath: SPEC_NAME, specSource: source });
    const report = await verifyTree(root, verifyTargets(model), verifyOptions(model));
    return report.findings
      .filter((f) => f.severity === 'error')
      .slice(0, 5)
      .map((f) => ({ invariant: `verify-${f.check}`, detail: `${f.file}: ${f.message.slice(0, 400)}` }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
