// `fabric compile`: compile the spec and write the tree (or, with --check, compare it),
// then optionally verify it offline and push it.
import { UsageError } from '../../errors.ts';
import { setStampAnswer } from '../answered.ts';
import { STDIN_SPEC } from '../../spec-name.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withManifest, type Compiled } from '../../index.ts';
import type { FileState } from '../../stamp.ts';
import { compileAndReport, EXIT, note, printDiagnostics, say, writeJSON } from '../output.ts';

export interface CompileFlags {
  spec: string;
  out: string;
  check?: boolean;
  /** With --check: the list of files and their line counts instead of the patches. */
  stat?: boolean;
  verify?: boolean;
  push?: boolean;
  json?: boolean;
}

export async function compileCommand(opts: CompileFlags): Promise<number> {
  if (opts.stat && !opts.check) throw new UsageError('--stat goes with --check', 'fabric compile --check --stat');
  // Nothing changed since the last compile of this spec into this tree (compiler/stamp.ts): say so without rendering.
  const { lastCompile, unchangedSinceLastCompile, recordCompile, lastCompiledFiles } = await import('../../stamp.ts');
  const fromFile = opts.spec !== STDIN_SPEC;
  const last = lastCompile(opts.out);
  const same =
    opts.check || opts.verify || opts.push || !fromFile
      ? undefined
      : unchangedSinceLastCompile(opts.spec, opts.out, last);
  if (same) {
    setStampAnswer({ spec: opts.spec, out: opts.out });
    if (opts.json) writeJSON({ out: opts.out, written: [], removed: [], unchanged: same.files });
    else {
      printDiagnostics(same.diagnostics, same.source, false);
      say(`${opts.out}: up to date (${same.files} files, untouched since the last compile of this spec)`);
    }
    return EXIT.ok;
  }
  const result = await compileAndReport(opts.spec, Boolean(opts.json));
  const { emitTree, diffAgainstDisk } = await import('../../emit.ts');
  const specOpts = {
    specPath: result.model.specPath,
    specFile: opts.spec,
    specSource: result.loaded.source,
    onWait: (pid: number, ms: number) =>
      process.stderr.write(`waiting for another fabric (pid ${pid}) writing ${opts.out}, up to ${ms / 1000} s\n`),
    identities: fromFile,
    known: lastCompiledFiles(last),
    whileLocked: (emitted: { identities?: Map<string, FileState> }) => {
      if (emitted.identities)
        recordCompile(opts.spec, result.loaded.source, opts.out, result.diagnostics, emitted.identities);
    },
  };
  if (opts.check) return checkTree(result, opts, specOpts);
  const emitted = emitTree(result.files, opts.out, specOpts);
  if (opts.json)
    writeJSON({
      out: opts.out,
      written: emitted.written,
      removed: emitted.removed,
      unchanged: emitted.unchanged.length,
    });
  else
    say(
      emitted.changed
        ? `${opts.out}: ${emitted.written.length} written, ${emitted.removed.length} removed, ${emitted.unchanged.length} unchanged`
        : `${opts.out}: up to date (${emitted.unchanged.length} files)`,
    );
  if (opts.verify) {
    const { verifyWrittenTree } = await import('./verify-tree.ts');
    const verified = await verifyWrittenTree(result, opts.out, Boolean(opts.json));
    if (verified !== EXIT.ok) return verified; // never push a tree that fails verification
  }
  if (opts.push) return (await import('./push.ts')).pushCompiled(result, { spec: opts.spec });
  return EXIT.ok;
}

/**
 * `--check`: write nothing; print what compiling would change in the tree as unified diffs (or, with
 * --stat, the list), and exit 4 when anything would (the code of `fabric diff --exit-code`).
 */
async function checkTree(
  result: Compiled,
  opts: CompileFlags,
  specOpts: { specPath: string; specSource: string; known?: Map<string, FileState> },
): Promise<number> {
  const { diffAgainstDisk } = await import('../../emit.ts');
  const { fileDiffs, formatPatches, formatStat } = await import('../content-diff.ts');
  const d = diffAgainstDisk(result.files, opts.out, specOpts);
  const expected = new Map(withManifest(result).map((f) => [f.path, f.contents]));
  const onDisk = (p: string) => readFileSync(join(opts.out, p), 'utf8');
  const diffs = await fileDiffs(
    [
      ...d.missing.map((path) => ({ path, kind: 'added' as const, before: undefined, after: expected.get(path) })),
      ...d.different.map((path) => ({
        path,
        kind: 'changed' as const,
        before: onDisk(path),
        after: expected.get(path),
      })),
      ...d.extra.map((path) => ({ path, kind: 'removed' as const, before: onDisk(path), after: undefined })),
    ].sort((a, b) => (a.path < b.path ? -1 : 1)),
  );
  if (opts.json) writeJSON({ out: opts.out, upToDate: diffs.length === 0, ...d, files: diffs });
  else if (diffs.length === 0) say(`${opts.out} is up to date`);
  else {
    process.stdout.write(opts.stat ? formatStat(diffs) : formatPatches(diffs));
    note(
      `${opts.out} is not what ${opts.spec} compiles to: ${diffs.length} file${diffs.length === 1 ? '' : 's'} would change\nrun: fabric compile --spec ${opts.spec} --out ${opts.out}`,
    );
  }
  return diffs.length === 0 ? EXIT.ok : EXIT.changes;
}
