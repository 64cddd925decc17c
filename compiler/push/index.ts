// push: publish the compiled tree to the GitOps repository. The repository is
// a build artifact, so a moved remote is handled by regenerating fabric's
// files on top of the new head, never by merging text and never by force.
//
//   lock the cache clone -> fetch the branch -> check out its head -> check
//   ownership (hand edits, unowned files) -> write the tree, prune -> stage
//   only those paths -> commit -> push HEAD:refs/heads/<branch>, fast-forward
//   only; when rejected because the remote moved, start again from the fetch.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MANIFEST_PATH, type RenderedFile } from '../emit-types.ts';
import { cacheRoot, cloneDirFor, openCacheClone, withCloneLock, type CacheClone } from './cache.ts';
import {
  changeSetFromNameStatus,
  commitMessage,
  pathTrailerValue,
  PATH_TRAILER,
  type ChangeSet,
  type FileChange,
} from './changes.ts';
import { PushError, redactCredentials } from './errors.ts';
import { timeoutFromEnv, type Git } from './git.ts';
import { applyTree, checkTree, parseManifest, readWorktreeManifest, targetPrefix, unownedCollisions } from './tree.ts';

export { PushError, redactCredentials, type PushFailure } from './errors.ts';
export {
  formatChangeSet,
  componentLine,
  totalsLine,
  type ChangeSet,
  type FileChange,
  type ComponentChanges,
} from './changes.ts';

export interface GitTarget {
  repoURL: string;
  branch: string;
  /** Directory in the repository that holds the tree; '' for the root. */
  path: string;
}

interface CommonOptions {
  files: RenderedFile[];
  target: GitTarget;
  /** The spec path as given; named in the commit message. */
  specPath: string;
  /** Cache root (default: FABRIC_CACHE_DIR, else ~/.cache/fabric); clones live in <root>/repos/. */
  cacheDir?: string;
  /** Overwrite hand edits and unowned files; ignore an unreadable manifest. Never a force-push. */
  force?: boolean;
  /** Milliseconds a git command may stay silent (default FABRIC_GIT_TIMEOUT seconds, else 120 s). */
  timeoutMs?: number;
}

export interface PushTreeOptions extends CommonOptions {
  /** Create the branch when the remote does not have it (as a new root commit). */
  createBranch?: boolean;
  /** Subject line of the commit; the summary and fabric's trailers still follow. */
  message?: string;
  /** Fetch-regenerate-push rounds before giving up on a remote that keeps moving. */
  maxAttempts?: number;
}

export interface PushResult {
  status: 'pushed' | 'up-to-date';
  /** The commit pushed, or the unchanged remote head. */
  commit: string | null;
  branchCreated: boolean;
  attempts: number;
  changes: ChangeSet;
  /** Files of other writers that --force overwrote. */
  overwritten: string[];
  notes: string[];
  cloneDir: string;
}

export interface DiffResult {
  /** The remote head compared against; null when the branch does not exist yet. */
  base: string | null;
  changes: ChangeSet;
  /** Owned files someone else changed since fabric's last commit: push refuses them without --force. */
  handEdits: string[];
  /** Files fabric would write that exist in the repository but that fabric never wrote. */
  unownedFiles: string[];
  notes: string[];
  /** Each changed file's text in the repository (undefined: absent) and as the push would write it. */
  contents: { path: string; kind: FileChange['kind']; before: string | undefined; after: string | undefined }[];
}

export const DEFAULT_MAX_ATTEMPTS = 5;
/** fabric's own identity, used when the user has no git identity configured. */
export const FALLBACK_IDENTITY = { name: 'fabric', email: 'fabric@localhost' } as const;

interface Session {
  clone: CacheClone;
  git: Git;
  prefix: string;
  options: CommonOptions;
  specHash: string;
}

async function withSession<T>(options: CommonOptions, fn: (session: Session) => Promise<T>): Promise<T> {
  const manifest = checkTree(options.files);
  const prefix = targetPrefix(options.target.path);
  assertBranchName(options.target.branch);
  const cloneDir = cloneDirFor(options.target.repoURL, cacheRoot(options.cacheDir));
  const timeoutMs = options.timeoutMs ?? timeoutFromEnv();
  return withCloneLock(cloneDir, async () => {
    const clone = await openCacheClone(cloneDir, options.target.repoURL, timeoutMs);
    return fn({ clone, git: clone.git, prefix, options, specHash: manifest.specHash });
  });
}

function assertBranchName(branch: string): void {
  // The cheap checks git's check-ref-format makes that matter for a refspec.
  if (!branch || branch.startsWith('-') || /[\s~^:?*[\\]|\.\.|@\{|\/\/|^\/|\/$|\.lock$|\.$/.test(branch)) {
    throw new PushError(
      'git-failed',
      `'${branch}' is not a valid branch name`,
      'pass --branch <name> (git.revision in the spec)',
    );
  }
}

/** Fetches the branch; returns its head, or null when the remote has no such branch. */
async function fetchBranch(git: Git, branch: string): Promise<string | null> {
  const trackingRef = `refs/remotes/origin/${branch}`;
  try {
    await git.run(['fetch', '--progress', '--no-tags', 'origin', `+refs/heads/${branch}:${trackingRef}`]);
  } catch (e) {
    if (e instanceof PushError && e.code === 'branch-missing') {
      await git.run(['update-ref', '-d', trackingRef]);
      return null;
    }
    throw e;
  }
  return (await git.run(['rev-parse', '--verify', `${trackingRef}^{commit}`])).trim();
}

// Where a new branch's first commit is made: an unborn local branch, so the
// commit has no parent and carries only fabric's tree.
const UNBORN_REF = 'refs/heads/fabric-new-branch';

/** Makes the work tree exactly `base` (or empty); the clone is ours, local state is discarded. */
async function checkoutBase(session: Session, base: string | null): Promise<void> {
  const { git } = session;
  const dirty = (await git.run(['status', '--porcelain', '--untracked-files=all'])).trim();
  if (dirty) session.clone.notes.push(`discarded leftover changes in the cache clone ${session.clone.dir}`);
  if (base) {
    await git.run(['checkout', '--quiet', '--force', '--detach', base]);
  } else {
    await git.run(['symbolic-ref', 'HEAD', UNBORN_REF]);
    await git.run(['update-ref', '-d', UNBORN_REF]);
    await git.run(['read-tree', '--empty']);
  }
  await git.run(['clean', '-ffdxq']);
}

/** Leaves the clone clean after a diff, so the next run has nothing to discard. */
async function discardWorktree(git: Git, base: string | null): Promise<void> {
  await git.run(base ? ['reset', '--quiet', '--hard'] : ['read-tree', '--empty']);
  await git.run(['clean', '-ffdxq']);
}

/** The newest commit reachable from `head` that fabric made for this target path. */
async function lastFabricCommit(session: Session, head: string): Promise<string | null> {
  const out = await session.git.run([
    'log',
    '--fixed-strings',
    `--grep=${PATH_TRAILER}: `,
    `--format=%H%x09%(trailers:key=${PATH_TRAILER},valueonly,separator=%x2C)`,
    head,
  ]);
  const wanted = pathTrailerValue(session.prefix);
  for (const line of out.split('\n')) {
    const [sha, value] = line.split('\t');
    if (sha && value?.trim() === wanted) return sha;
  }
  return null;
}

/** Owned files (per fabric's last commit) that later commits changed or deleted. */
async function handEditsSince(session: Session, head: string): Promise<string[]> {
  const last = await lastFabricCommit(session, head);
  if (!last || last === head) return [];
  const manifestPath = session.prefix + MANIFEST_PATH;
  const text = await session.git.run(['show', `${last}:${manifestPath}`]).catch(() => null);
  if (text === null) return [];
  const owned = new Set(
    parseManifest(text, `${manifestPath} at ${last.slice(0, 12)}`).files.map((f) => session.prefix + f),
  );
  const scope = session.prefix === '' ? '.' : session.prefix.replace(/\/$/, '');
  const changed = (await session.git.run(['diff', '--name-only', '--no-renames', '-z', last, head, '--', scope])).split(
    '\0',
  );
  return changed.filter((p) => owned.has(p));
}

interface Staged {
  changes: ChangeSet;
  handEdits: string[];
  unownedFiles: string[];
}

/**
 * Checks out `base`, writes fabric's tree over it and stages exactly the
 * touched paths. Ownership problems throw unless `force` (push) or are
 * returned (diff, `collectOnly`).
 */
async function stageTree(
  session: Session,
  base: string | null,
  mode: { force: boolean; collectOnly: boolean },
): Promise<Staged> {
  const { git, prefix, clone } = session;
  const { files } = session.options;
  await checkoutBase(session, base);

  let previous: string[] = [];
  try {
    previous = (await readWorktreeManifest(clone.dir, prefix))?.files ?? [];
  } catch (e) {
    if (!(e instanceof PushError && e.code === 'bad-manifest' && mode.force)) throw e;
    clone.notes.push(`--force: ignored the unreadable ${prefix}${MANIFEST_PATH}; nothing was pruned`);
  }
  const handEdits = base ? await handEditsSince(session, base) : [];
  const unownedFiles = await unownedCollisions(clone.dir, prefix, files, new Set(previous));
  if (!mode.force && !mode.collectOnly) {
    if (handEdits.length > 0) {
      throw new PushError(
        'hand-edits',
        `files fabric owns were changed in the repository since fabric's last commit: ${handEdits.join(', ')}`,
        'move those changes into the spec (or templates) and push again, or pass --force to overwrite them',
        handEdits,
      );
    }
    if (unownedFiles.length > 0) {
      throw new PushError(
        'unowned-files',
        `fabric would overwrite files it did not write: ${unownedFiles.join(', ')}`,
        'pass --force to let fabric take them over, or push to another --path',
        unownedFiles,
      );
    }
  }

  const touched = await applyTree(clone.dir, prefix, files, previous);
  const pathspecFile = path.join(clone.dir, '.git', 'fabric-pathspec');
  await writeFile(pathspecFile, touched.join('\0'));
  // --force: fabric's files are staged even when the repository's .gitignore matches them.
  await git.run(['add', '--all', '--force', `--pathspec-from-file=${pathspecFile}`, '--pathspec-file-nul']);
  const nameStatus = await git.run(['diff', '--cached', '--name-status', '--no-renames', '-z']);
  return { changes: changeSetFromNameStatus(nameStatus, prefix), handEdits, unownedFiles };
}

/** `-c user.name/-c user.email` for fabric's identity, unless the user has one configured. */
async function identityArgs(git: Git): Promise<string[]> {
  const configured = async (key: string) => (await git.run(['config', '--get', key]).catch(() => '')).trim() !== '';
  if ((await configured('user.name')) && (await configured('user.email'))) return [];
  return ['-c', `user.name=${FALLBACK_IDENTITY.name}`, '-c', `user.email=${FALLBACK_IDENTITY.email}`];
}

async function commit(session: Session, changes: ChangeSet, subject: string | undefined): Promise<string> {
  const { git, clone } = session;
  const messageFile = path.join(clone.dir, '.git', 'fabric-commit-message');
  await writeFile(
    messageFile,
    commitMessage({
      specPath: session.options.specPath,
      prefix: session.prefix,
      specHash: session.specHash,
      changes,
      subject,
    }),
  );
  await git.run([...(await identityArgs(git)), 'commit', '--quiet', '--cleanup=whitespace', '-F', messageFile]);
  return (await git.run(['rev-parse', 'HEAD'])).trim();
}

/**
 * Pushes HEAD fast-forward only. 'moved' means the remote branch changed since
 * the fetch; 'locked' that the remote could not lock the ref (a racing pusher
 * holds its .lock, or a killed one left it), with what git said.
 */
async function pushHead(session: Session, sha: string): Promise<'pushed' | 'moved' | { locked: string }> {
  const { branch, repoURL } = session.options.target;
  try {
    await session.git.run(['push', '--progress', 'origin', `HEAD:refs/heads/${branch}`]);
    return 'pushed';
  } catch (e) {
    const err = e instanceof PushError ? e : new PushError('git-failed', String(e));
    const locked = /(?:error|fatal|remote): [^\n]*(?:Unable to create '[^']*\.lock'|\.lock': File exists)[^\n]*/.exec(
      err.message,
    );
    if (locked && !/but expected/.test(err.message)) return { locked: locked[0].trim() };
    // Rejected as not fast-forward, or the ref changed between git's read and its update (a racing pusher).
    if (/!\s*\[rejected\]|cannot lock ref|but expected/.test(err.message)) return 'moved';
    const reason = err.message.replace(/^git push failed: /, '');
    throw new PushError(
      'not-pushed',
      `committed locally as ${sha}; not pushed to ${redactCredentials(repoURL)} ${branch}: ${reason}`,
      `${err.hint ?? 'deal with what the remote said above'}, then run fabric push again (the commit stays in ${session.clone.dir}; the next run rebuilds it from the spec)`,
    );
  }
}

function backoff(attempt: number): Promise<void> {
  // Jitter spreads concurrent pushers apart so one of them wins each round.
  const ms = Math.round(50 * attempt + Math.random() * 150 * attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function pushTree(options: PushTreeOptions): Promise<PushResult> {
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const { branch, repoURL } = options.target;
  return withSession(options, async (session) => {
    const result = (fields: Omit<PushResult, 'notes' | 'cloneDir'>): PushResult => ({
      ...fields,
      notes: session.clone.notes,
      cloneDir: session.clone.dir,
    });
    let lastLock: string | undefined;
    for (let attempt = 1; ; attempt++) {
      const base = await fetchBranch(session.git, branch);
      if (!base && !options.createBranch) {
        throw new PushError(
          'branch-missing',
          `branch '${branch}' does not exist in ${redactCredentials(repoURL)}`,
          "pass --create-branch to create it with fabric's tree as its first commit, or name an existing branch with --branch",
        );
      }
      const staged = await stageTree(session, base, { force: Boolean(options.force), collectOnly: false });
      const overwritten = options.force ? [...staged.handEdits, ...staged.unownedFiles].sort() : [];
      if (staged.changes.files.length === 0) {
        return result({
          status: 'up-to-date',
          commit: base,
          branchCreated: false,
          attempts: attempt,
          changes: staged.changes,
          overwritten,
        });
      }
      const sha = await commit(session, staged.changes, options.message);
      const pushed = await pushHead(session, sha);
      if (pushed === 'pushed') {
        return result({
          status: 'pushed',
          commit: sha,
          branchCreated: base === null,
          attempts: attempt,
          changes: staged.changes,
          overwritten,
        });
      }
      lastLock = typeof pushed === 'object' ? pushed.locked : undefined;
      if (attempt >= maxAttempts && lastLock) {
        // The same lock every round: a killed git on the remote's side left it; say what git said.
        throw new PushError(
          'not-pushed',
          `committed locally as ${sha}; not pushed: ${redactCredentials(repoURL)} could not lock ${branch}: ${redactCredentials(lastLock)}`,
          `if nothing else is pushing to ${branch}, a killed git left that .lock file in the remote repository: delete it there, then run fabric push again`,
        );
      }
      if (attempt >= maxAttempts) {
        throw new PushError(
          'not-pushed',
          `committed locally as ${sha}; not pushed: ${branch} in ${redactCredentials(repoURL)} kept moving during ${maxAttempts} attempts`,
          'another writer is pushing continuously; run fabric push again when it is quiet',
        );
      }
      await backoff(attempt);
    }
  });
}

/** What pushTree would change, without committing or pushing. It fetches. */
export async function diffTree(options: CommonOptions): Promise<DiffResult> {
  return withSession(options, async (session) => {
    const base = await fetchBranch(session.git, options.target.branch);
    try {
      const staged = await stageTree(session, base, { force: Boolean(options.force), collectOnly: true });
      const contents = await Promise.all(
        staged.changes.files.map(async (f) => ({
          path: f.path,
          kind: f.kind,
          before: f.kind === 'added' || !base ? undefined : await session.git.run(['show', `${base}:${f.path}`]),
          after: f.kind === 'removed' ? undefined : await readFile(path.join(session.clone.dir, f.path), 'utf8'),
        })),
      );
      return { base, ...staged, notes: session.clone.notes, contents };
    } finally {
      await discardWorktree(session.git, base);
    }
  });
}
