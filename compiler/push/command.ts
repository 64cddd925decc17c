// The `fabric push` and `fabric diff` commands: compile the spec in memory,
// resolve the target from the spec and the flags, run pushTree / diffTree,
// and report. compiler/cli.ts declares them and imports this module lazily.
import { EXIT, printDiagnostics, UserError } from '../cli.ts';
import { compileSpec, withManifest, type Compiled } from '../index.ts';
import {
  componentLine,
  diffTree,
  formatChangeSet,
  pushTree,
  PushError,
  redactCredentials,
  totalsLine,
  type GitTarget,
} from './index.ts';

export interface TargetFlags {
  spec: string;
  repoUrl?: string;
  branch?: string;
  path?: string;
  force?: boolean;
}

export interface PushFlags extends TargetFlags {
  createBranch?: boolean;
  message?: string;
}

export interface DiffFlags extends TargetFlags {
  json?: boolean;
  exitCode?: boolean;
}

function compileOrReport(spec: string, json: boolean): Compiled | number {
  const result = compileSpec(spec);
  if (!('model' in result)) {
    printDiagnostics(result.diagnostics, result.source ?? result.loaded?.source, json);
    return EXIT.invalidSpec;
  }
  if (!json) printDiagnostics(result.diagnostics, result.loaded.source, false);
  return result;
}

function targetOf(compiled: Compiled, flags: TargetFlags): GitTarget {
  const fromSpec = compiled.model.git;
  const target = {
    repoURL: flags.repoUrl ?? fromSpec.repoURL,
    branch: flags.branch ?? fromSpec.revision,
    path: flags.path === undefined ? fromSpec.path : String(flags.path),
  };
  if (target.repoURL !== fromSpec.repoURL || target.branch !== fromSpec.revision || target.path !== fromSpec.path) {
    // The ArgoCD Applications in the tree still read what the spec says.
    process.stderr.write(
      `note: the tree's ArgoCD Applications read ${redactCredentials(fromSpec.repoURL)} ${fromSpec.revision} '${fromSpec.path}' (from ${flags.spec}); ` +
        `pushing to ${redactCredentials(target.repoURL)} ${target.branch} '${target.path}'\n`,
    );
  }
  return target;
}

function where(target: GitTarget): string {
  return `${redactCredentials(target.repoURL)} ${target.branch}${target.path ? ` (${target.path.replace(/\/?$/, '/')})` : ''}`;
}

function asUserError(e: unknown): unknown {
  if (!(e instanceof PushError)) return e;
  // A commit that exists but did not reach the remote gets its own exit code: a script can retry the push alone.
  return new UserError(e.message, e.code === 'not-pushed' ? EXIT.notPushed : EXIT.toolFailure, e.hint);
}

const printNotes = (notes: string[]) => notes.forEach((n) => process.stderr.write(`note: ${n}\n`));

export async function pushCommand(flags: PushFlags): Promise<number> {
  const compiled = compileOrReport(flags.spec, false);
  if (typeof compiled === 'number') return compiled;
  return pushCompiled(compiled, flags);
}

/** Push an already compiled tree (fabric push, and fabric compile --push). */
export async function pushCompiled(compiled: Compiled, flags: PushFlags): Promise<number> {
  const target = targetOf(compiled, flags);
  try {
    const result = await pushTree({
      files: withManifest(compiled),
      target,
      specPath: flags.spec,
      createBranch: flags.createBranch,
      force: flags.force,
      message: flags.message,
    });
    printNotes(result.notes);
    if (result.overwritten.length > 0)
      process.stderr.write(
        `note: --force overwrote files fabric did not write last: ${result.overwritten.join(', ')}\n`,
      );
    if (result.status === 'up-to-date') {
      process.stdout.write(`${where(target)}: up to date\n`);
      return EXIT.ok;
    }
    const verb = result.branchCreated ? 'created the branch with' : 'pushed';
    process.stdout.write(`${verb} ${result.commit!.slice(0, 12)} to ${where(target)}: ${totalsLine(result.changes)}\n`);
    for (const c of result.changes.components) process.stdout.write(`  ${componentLine(c)}\n`);
    return EXIT.ok;
  } catch (e) {
    throw asUserError(e);
  }
}

export async function diffCommand(flags: DiffFlags): Promise<number> {
  const json = Boolean(flags.json);
  const compiled = compileOrReport(flags.spec, json);
  if (typeof compiled === 'number') return compiled;
  const target = targetOf(compiled, flags);
  let result;
  try {
    result = await diffTree({ files: withManifest(compiled), target, specPath: flags.spec, force: flags.force });
  } catch (e) {
    throw asUserError(e);
  }
  const changed = result.changes.files.length > 0;
  if (json) {
    process.stdout.write(
      JSON.stringify(
        {
          repoURL: redactCredentials(target.repoURL),
          branch: target.branch,
          path: target.path,
          base: result.base,
          changes: result.changes,
          handEdits: result.handEdits,
          unownedFiles: result.unownedFiles,
          notes: result.notes,
        },
        null,
        2,
      ) + '\n',
    );
  } else {
    printNotes(result.notes);
    const base = result.base
      ? `@ ${result.base.slice(0, 12)}`
      : '(branch does not exist yet; push with --create-branch)';
    process.stdout.write(`${where(target)} ${base}\n${formatChangeSet(result.changes)}`);
    if (result.handEdits.length > 0) {
      process.stderr.write(
        `warning: changed in the repository since fabric's last commit (push refuses without --force): ${result.handEdits.join(', ')}\n`,
      );
    }
    if (result.unownedFiles.length > 0) {
      process.stderr.write(
        `warning: exist in the repository but were not written by fabric (push refuses without --force): ${result.unownedFiles.join(', ')}\n`,
      );
    }
  }
  return changed && flags.exitCode ? EXIT.changes : EXIT.ok;
}
