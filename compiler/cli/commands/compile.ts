// `fabric compile`: compile the spec and write the tree (or, with --check, compare it),
// then optionally verify it offline and push it.
import { STDIN_SPEC } from '../../spec-name.ts';
import { compileAndReport, EXIT, printDiagnostics } from '../output.ts';

export interface CompileFlags {
  spec: string;
  out: string;
  check?: boolean;
  verify?: boolean;
  push?: boolean;
  json?: boolean;
}

const writeJSON = (value: unknown) => process.stdout.write(JSON.stringify(value, null, 2) + '\n');

export async function compileCommand(opts: CompileFlags): Promise<number> {
  // Nothing changed since the last compile of this spec into this tree (compiler/stamp.ts): say so without rendering.
  const { unchangedSinceLastCompile, recordCompile } = await import('../../stamp.ts');
  const fromFile = opts.spec !== STDIN_SPEC;
  const same =
    opts.check || opts.verify || opts.push || !fromFile ? undefined : unchangedSinceLastCompile(opts.spec, opts.out);
  if (same) {
    if (opts.json) writeJSON({ out: opts.out, written: [], removed: [], unchanged: same.files });
    else {
      printDiagnostics(same.diagnostics, same.source, false);
      process.stdout.write(
        `${opts.out}: up to date (${same.files} files, untouched since the last compile of this spec)\n`,
      );
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
    whileLocked: (emitted: { written: string[]; unchanged: string[] }) => {
      if (fromFile)
        recordCompile(opts.spec, result.loaded.source, opts.out, result.diagnostics, [
          ...emitted.written,
          ...emitted.unchanged,
        ]);
    },
  };
  if (opts.check) {
    const d = diffAgainstDisk(result.files, opts.out, specOpts);
    const stale = [
      ...d.missing.map((p) => `missing  ${p}`),
      ...d.different.map((p) => `differs  ${p}`),
      ...d.extra.map((p) => `stale    ${p}`),
    ];
    if (opts.json) writeJSON({ upToDate: stale.length === 0, ...d });
    else if (stale.length)
      process.stderr.write(
        `${opts.out} is not what ${opts.spec} compiles to:\n${stale.map((s) => `  ${s}`).join('\n')}\nrun: fabric compile --spec ${opts.spec} --out ${opts.out}\n`,
      );
    else process.stdout.write(`${opts.out} is up to date\n`);
    return stale.length ? EXIT.invalidSpec : EXIT.ok;
  }
  const emitted = emitTree(result.files, opts.out, specOpts);
  if (opts.json)
    writeJSON({
      out: opts.out,
      written: emitted.written,
      removed: emitted.removed,
      unchanged: emitted.unchanged.length,
    });
  else
    process.stdout.write(
      emitted.changed
        ? `${opts.out}: ${emitted.written.length} written, ${emitted.removed.length} removed, ${emitted.unchanged.length} unchanged\n`
        : `${opts.out}: up to date (${emitted.unchanged.length} files)\n`,
    );
  if (opts.verify) {
    const { verifyWrittenTree } = await import('./verify-tree.ts');
    const verified = await verifyWrittenTree(result, opts.out, Boolean(opts.json));
    if (verified !== EXIT.ok) return verified; // never push a tree that fails verification
  }
  if (opts.push) return (await import('./push.ts')).pushCompiled(result, { spec: opts.spec });
  return EXIT.ok;
}
