// The cache clone: fabric's private working copy of the GitOps repository,
// outside the user's project. It is ours, so any local state in it is
// discarded; but it must be a clone of the URL we were given.
import { existsSync } from 'node:fs';
import { open, readFile, readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { PushError, redactCredentials } from './errors.ts';
import { openGit, type Git } from './git.ts';
import { fsReason } from '../fs-errors.ts';
import { makeDirs } from '../mkdirs.ts';
import { processAlive } from '../pid.ts';
import { cacheRoot } from '../paths.ts';
import { sha256 } from '../digest.ts';

export { cacheRoot };

/** One clone per repository URL: `<root>/repos/<sha256(url)[0..16]>`. */
export function cloneDirFor(repoURL: string, root: string): string {
  return path.join(root, 'repos', sha256(repoURL).slice(0, 16));
}

const LOCK_WAIT_MS = 120_000;
const LOCK_POLL_MS = 100;

/**
 * Runs `fn` holding `<cloneDir>.lock`, so two fabric runs on one machine never
 * share the clone's work tree. The lock file holds the owner's pid; a lock whose
 * process is gone is stale and taken over. (Two runs that find the same stale
 * lock at the same instant can both take it; a crash plus a simultaneous start
 * is the only way there.)
 */
export async function withCloneLock<T>(cloneDir: string, fn: () => Promise<T>, waitMs = LOCK_WAIT_MS): Promise<T> {
  const lockPath = `${cloneDir}.lock`;
  await cacheIO(cloneDir, async () => makeDirs(path.dirname(lockPath)));
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw cacheError(cloneDir, e);
      const owner = Number((await readFile(lockPath, 'utf8').catch(() => '')).trim());
      if (owner > 0 && !processAlive(owner)) {
        await unlink(lockPath).catch(() => undefined);
        continue;
      }
      if (Date.now() > deadline) {
        throw new PushError(
          'cache-busy',
          `another fabric run (pid ${owner || 'unknown'}) is using the cache clone ${cloneDir}`,
          `wait for it to finish; if no fabric process is running, delete ${lockPath}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
  }
  try {
    return await fn();
  } finally {
    await unlink(lockPath).catch(() => undefined);
  }
}

/** A file system error in fabric's cache (FABRIC_CACHE_DIR a file, read-only, full) as a PushError. */
function cacheError(dir: string, e: unknown): unknown {
  const why = fsReason(e);
  if (!why || e instanceof PushError) return e;
  const where = (e as NodeJS.ErrnoException).path ?? dir;
  return new PushError(
    'cache-unusable',
    `cannot use fabric's cache directory for ${dir}: ${why} (${where})`,
    'point FABRIC_CACHE_DIR at a writable directory (default: $XDG_CACHE_HOME/fabric or ~/.cache/fabric)',
  );
}

async function cacheIO<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw cacheError(dir, e);
  }
}

/** Lock files git leaves when killed: index, HEAD, and any ref (a fetch killed mid-update leaves refs/remotes/origin/<branch>.lock). */
async function staleGitLocks(gitDir: string): Promise<string[]> {
  const found = ['index.lock', 'HEAD.lock', 'packed-refs.lock'].filter((f) => existsSync(path.join(gitDir, f)));
  const refs = path.join(gitDir, 'refs');
  if (existsSync(refs)) {
    for (const e of await readdir(refs, { recursive: true, withFileTypes: true }))
      if (e.isFile() && e.name.endsWith('.lock')) found.push(path.relative(gitDir, path.join(e.parentPath, e.name)));
  }
  return found.sort();
}

export interface CacheClone {
  git: Git;
  dir: string;
  /** Things fabric repaired on the way (a stale lock, local changes). */
  notes: string[];
}

/**
 * Opens (creating if needed) the clone of `repoURL` in `dir`: checks that it
 * is a clone of that URL, removes git lock files a crashed run left behind
 * (we hold the clone lock, so no live fabric owns them) and records it.
 */
export async function openCacheClone(dir: string, repoURL: string, timeoutMs: number): Promise<CacheClone> {
  const notes: string[] = [];
  await cacheIO(dir, async () => makeDirs(dir));
  const fresh = !existsSync(path.join(dir, '.git'));
  if (fresh && (await readdir(dir)).length > 0) {
    throw new PushError(
      'foreign-cache',
      `${dir} is not empty and is not a git clone, so fabric will not use it as its cache`,
      'remove that directory, or point FABRIC_CACHE_DIR somewhere else',
    );
  }
  let git = await openGit(dir, { remoteURL: repoURL, timeoutMs });
  if (fresh) {
    await git.run(['init', '--quiet']);
    await git.run(['remote', 'add', 'origin', repoURL]);
    // The tree is written byte for byte; no line-ending conversion on the way in.
    await git.run(['config', 'core.autocrlf', 'false']);
  } else {
    const origin = (await git.run(['remote', 'get-url', 'origin']).catch(() => '')).trim();
    if (origin !== repoURL) {
      throw new PushError(
        'foreign-cache',
        `the cache clone ${dir} is a clone of ${redactCredentials(origin) || 'no remote'}, not ${redactCredentials(repoURL)}`,
        `remove ${dir} (fabric re-creates it), or use another FABRIC_CACHE_DIR`,
      );
    }
  }
  for (const lock of await staleGitLocks(path.join(dir, '.git'))) {
    await cacheIO(dir, () => unlink(path.join(dir, '.git', lock)));
    notes.push(`removed a stale .git/${lock} left in the cache clone by an interrupted run`);
  }
  // The user's core.sshCommand would be overridden by our GIT_SSH_COMMAND; carry it over.
  const sshCommand = (await git.run(['config', '--get', 'core.sshCommand']).catch(() => '')).trim();
  if (sshCommand) git = await openGit(dir, { remoteURL: repoURL, timeoutMs, sshCommand });
  return { git, dir, notes };
}
