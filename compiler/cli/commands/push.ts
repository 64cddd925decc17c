// The `fabric push` and `fabric diff` commands: compile the spec in memory,
// resolve the target from the spec and the flags, run pushTree / diffTree
// (compiler/push/), and report. compiler/cli/main.ts imports this module lazily.
import { withManifest, type Compiled } from '../../index.ts';
import {
  componentLine,
  diffTree,
  formatChangeSet,
  pushTree,
  redactCredentials,
  totalsLine,
  type GitTarget,
} from '../../push/index.ts';
import { compileAndReport, EXIT } from '../output.ts';

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

function targetOf(compiled: Compiled, flags: TargetFlags): GitTarget {
  const fromSpec = compiled.model.git;
  const target = {
    repoURL: flags.repoUrl ?? fromSpec.repoURL,
    branch: flags.branch ?? fromSpec.revision,
    path: flags.path ?? fromSpec.path,
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

const printNotes = (notes: string[]) => notes.forEach((n) => process.stderr.write(`note: ${n}\n`));

export async function pushCommand(flags: PushFlags): Promise<number> {
  const compiled = await compileAndReport(flags.spec, false);
  return pushCompiled(compiled, flags);
}

/** Push an already compiled tree (fabric push, and fabric compile --push). */
export async function pushCompiled(compiled: Compiled, flags: PushFlags): Promise<number> {
  const target = targetOf(compiled, flags);
  const result = await pushTree({
    files: withManifest(compiled),
    target,
    specPath: compiled.model.specPath,
    createBranch: flags.createBranch,
    force: flags.force,
    message: flags.message,
  });
  printNotes(result.notes);
  if (result.overwritten.length > 0)
    process.stderr.write(`note: --force overwrote files fabric did not write last: ${result.overwritten.join(', ')}\n`);
  if (result.status === 'up-to-date') {
    process.stdout.write(`${where(target)}: up to date\n`);
    return EXIT.ok;
  }
  const verb = result.branchCreated ? 'created the branch with' : 'pushed';
  process.stdout.write(`${verb} ${result.commit!.slice(0, 12)} to ${where(target)}: ${totalsLine(result.changes)}\n`);
  for (const c of result.changes.components) process.stdout.write(`  ${componentLine(c)}\n`);
  return EXIT.ok;
}

export async function diffCommand(flags: DiffFlags): Promise<number> {
  const json = Boolean(flags.json);
  const compiled = await compileAndReport(flags.spec, json);
  const target = targetOf(compiled, flags);
  const result = await diffTree({
    files: withManifest(compiled),
    target,
    specPath: compiled.model.specPath,
    force: flags.force,
  });
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
