// What a push changes, as data (from git's own staged diff), and the words
// for it: the per-component summary, the commit message, the diff report.

export type ChangeKind = 'added' | 'changed' | 'removed';

export interface FileChange {
  /** Path in the repository (target path included). */
  path: string;
  kind: ChangeKind;
  /** Where the file belongs: the first two directories under gitops/, else its top directory. */
  component: string;
}

export interface ComponentChanges {
  component: string;
  added: number;
  changed: number;
  removed: number;
}

export interface ChangeSet {
  files: FileChange[];
  components: ComponentChanges[];
}

/** The commit trailer that marks fabric's commits and names the target path ('.' for the root). */
export const PATH_TRAILER = 'Fabric-Path';

/** `gitops/components/alloy-agent/base/x.yaml` -> `components/alloy-agent`; `README.md` -> `(root)`. */
export function componentOf(treePath: string): string {
  const dirs = treePath.split('/').slice(0, -1);
  if (dirs[0] === 'gitops') return dirs.length > 1 ? dirs.slice(1, 3).join('/') : 'gitops';
  return dirs[0] ?? '(root)';
}

const KIND_BY_STATUS: Record<string, ChangeKind> = { A: 'added', D: 'removed', M: 'changed', T: 'changed' };

/** Parses `git diff --cached --name-status --no-renames -z` for a tree under `prefix`. */
export function changeSetFromNameStatus(output: string, prefix: string): ChangeSet {
  const fields = output.split('\0');
  const files: FileChange[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const status = fields[i].trim().charAt(0);
    const repoPath = fields[i + 1];
    const kind = KIND_BY_STATUS[status] ?? 'changed';
    const treePath = repoPath.startsWith(prefix) ? repoPath.slice(prefix.length) : repoPath;
    files.push({ path: repoPath, kind, component: componentOf(treePath) });
  }
  return changeSetOf(files);
}

export function changeSetOf(files: FileChange[]): ChangeSet {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const byComponent = new Map<string, ComponentChanges>();
  for (const f of sorted) {
    const entry = byComponent.get(f.component) ?? { component: f.component, added: 0, changed: 0, removed: 0 };
    entry[f.kind] += 1;
    byComponent.set(f.component, entry);
  }
  const components = [...byComponent.values()].sort((a, b) => (a.component < b.component ? -1 : 1));
  return { files: sorted, components };
}

/** `components/alloy-agent: 1 added, 2 changed` */
export function componentLine(c: ComponentChanges): string {
  const parts = (['added', 'changed', 'removed'] as const).filter((k) => c[k] > 0).map((k) => `${c[k]} ${k}`);
  return `${c.component}: ${parts.join(', ')}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function totalsLine(changes: ChangeSet): string {
  return `${plural(changes.files.length, 'file')} in ${plural(changes.components.length, 'component')}`;
}

export interface CommitMessageInput {
  specPath: string;
  /** '' for the repository root, else 'dir/'. */
  prefix: string;
  specHash: string;
  changes: ChangeSet;
  /** The user's subject line (--message); fabric's summary and trailers still follow. */
  subject?: string;
}

/** Subject, per-component summary, then trailers that let the next push find this commit. */
export function commitMessage(input: CommitMessageInput): string {
  const where = input.prefix === '' ? 'the repository root' : input.prefix;
  const subject = input.subject?.trim() || `fabric: update ${where} from ${input.specPath}`;
  return [
    subject,
    '',
    `${totalsLine(input.changes)}:`,
    ...input.changes.components.map(componentLine),
    '',
    `Fabric-Spec: ${input.specPath}`,
    `Fabric-Spec-Hash: ${input.specHash}`,
    `${PATH_TRAILER}: ${pathTrailerValue(input.prefix)}`,
    '',
  ].join('\n');
}

export function pathTrailerValue(prefix: string): string {
  return prefix === '' ? '.' : prefix.replace(/\/$/, '');
}

/** The readable report of `fabric diff`: components first, then every file. */
export function formatChangeSet(changes: ChangeSet): string {
  if (changes.files.length === 0) return 'no changes\n';
  const width = Math.max(...changes.files.map((f) => f.kind.length));
  return [
    `${totalsLine(changes)} would change:`,
    ...changes.components.map((c) => `  ${componentLine(c)}`),
    '',
    ...changes.files.map((f) => `  ${f.kind.padEnd(width)}  ${f.path}`),
    '',
  ].join('\n');
}
