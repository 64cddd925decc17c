// The `fabric push` and `fabric diff` commands: compile the spec in memory,
// resolve the target from the spec and the flags, run pushTree / diffTree
// (compiler/push/), and report. compiler/cli/main.ts imports this module lazily.
import { resolve } from 'node:path';
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
import { compileAndReport, EXIT, note, say, writeJSON } from '../output.ts';

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
  json?: boolean;
}

export interface DiffFlags extends TargetFlags {
  json?: boolean;
  exitCode?: boolean;
  /** The list of files and their line counts instead of the patches. */
  stat?: boolean;
}

/**
 * A --repo-url as typed: a relative local path means the user's working directory (git would read it inside
 * fabric's cache clone); URLs (`scheme://`) and scp-like addresses (`host:path`, a colon before any slash) stay.
 */
export function fromCommandLine(repoUrl: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(repoUrl) || /^[^/]*:/.test(repoUrl)) return repoUrl;
  return resolve(repoUrl);
}

function targetOf(compiled: Compiled, flags: TargetFlags): GitTarget {
  const fromSpec = compiled.model.git;
  const target = {
    repoURL: flags.repoUrl === undefined ? fromSpec.repoURL : fromCommandLine(flags.repoUrl),
    branch: flags.branch ?? fromSpec.revision,
    path: flags.path ?? fromSpec.path,
  };
  if (target.repoURL !== fromSpec.repoURL || target.branch !== fromSpec.revision || target.path !== fromSpec.path) {
    // The ArgoCD Applications in the tree still read what the spec says.
    note(
      `note: the tree's ArgoCD Applications read ${redactCredentials(fromSpec.repoURL)} ${fromSpec.revision} '${fromSpec.path}' (from ${flags.spec}); ` +
        `pushing to ${redactCredentials(target.repoURL)} ${target.branch} '${target.path}'`,
    );
  }
  return target;
}

function where(target: GitTarget): string {
  return `${redactCredentials(target.repoURL)} ${target.branch}${target.path ? ` (${target.path.replace(/\/?$/, '/')})` : ''}`;
}

const printNotes = (notes: string[]) => notes.forEach((n) => note(`note: ${n}`));

export async function pushCommand(flags: PushFlags): Promise<number> {
  const compiled = await compileAndReport(flags.spec, Boolean(flags.json));
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
  if (flags.json) {
    writeJSON({
      status: result.status,
      commit: result.commit,
      branchCreated: result.branchCreated,
      repoURL: redactCredentials(target.repoURL),
      branch: target.branch,
      path: target.path,
      changes: result.changes,
      overwritten: result.overwritten,
      notes: result.notes,
    });
    return EXIT.ok;
  }
  printNotes(result.notes);
  if (result.overwritten.length > 0)
    note(`note: --force overwrote files fabric did not write last: ${result.overwritten.join(', ')}`);
  if (result.status === 'up-to-date') {
    say(`${where(target)}: up to date`);
    return EXIT.ok;
  }
  const verb = result.branchCreated ? 'created the branch with' : 'pushed';
  say(
    [
      `${verb} ${result.commit!.slice(0, 12)} to ${where(target)}: ${totalsLine(result.changes)}`,
      ...result.changes.components.map((c) => `  ${componentLine(c)}`),
    ].join('\n'),
  );
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
  const { fileDiffs, formatPatches, formatStat } = await import('../content-diff.ts');
  const diffs = await fileDiffs(result.contents);
  if (json) {
    writeJSON({
      repoURL: redactCredentials(target.repoURL),
      branch: target.branch,
      path: target.path,
      base: result.base,
      changes: result.changes,
      files: diffs,
      handEdits: result.handEdits,
      unownedFiles: result.unownedFiles,
      notes: result.notes,
    });
  } else {
    printNotes(result.notes);
    const base = result.base
      ? `@ ${result.base.slice(0, 12)}`
      : '(branch does not exist yet; push with --create-branch)';
    say(`${where(target)} ${base}\n${formatChangeSet(result.changes)}`);
    if (changed) process.stdout.write(flags.stat ? formatStat(diffs) : formatPatches(diffs));
    if (result.handEdits.length > 0)
      note(
        `warning: changed in the repository since fabric's last commit (push refuses without --force): ${result.handEdits.join(', ')}`,
      );
    if (result.unownedFiles.length > 0)
      note(
        `warning: exist in the repository but were not written by fabric (push refuses without --force): ${result.unownedFiles.join(', ')}`,
      );
  }
  return changed && flags.exitCode ? EXIT.changes : EXIT.ok;
}
