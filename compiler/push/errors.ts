// Why a push or diff stopped, as data: a stable code for tests and scripts,
// a message for the user, and the fix. Every code exits EXIT.toolFailure except
// not-pushed (EXIT.notPushed: a script can retry the push alone); the code tells them apart.
import { EXIT, FabricError } from '../errors.ts';

export type PushFailure =
  /** The remote cannot be reached or does not exist. */
  | 'remote-unreachable'
  /** The remote wants credentials that git could not get without a prompt. */
  | 'auth-failed'
  /** git produced no output for the whole timeout. */
  | 'timeout'
  /** The target branch does not exist and --create-branch was not given. */
  | 'branch-missing'
  /** Someone else changed files fabric owns since fabric's last commit. */
  | 'hand-edits'
  /** The tree would overwrite files in the repository that fabric never wrote. */
  | 'unowned-files'
  /** The repository's manifest of owned files is unreadable or unsafe. */
  | 'bad-manifest'
  /** The rendered tree is malformed (a bug in the compiler). */
  | 'bad-tree'
  /** The cache directory holds something other than our clone of this URL. */
  | 'foreign-cache'
  /** fabric's cache directory cannot be used (a file, read-only, full). */
  | 'cache-unusable'
  /** Another fabric process is using the cache clone. */
  | 'cache-busy'
  /** git's own lock file is held. */
  | 'git-locked'
  /** A symlink sits where fabric would write or delete. */
  | 'unsafe-path'
  /** The commit exists in the cache clone but did not reach the remote. */
  | 'not-pushed'
  /** Any other git failure; the message carries git's own words. */
  | 'git-failed';

export class PushError extends FabricError {
  constructor(
    readonly code: PushFailure,
    message: string,
    hint?: string,
    /** Repository paths the failure is about (hand edits, unowned files). */
    readonly files: string[] = [],
  ) {
    super(message, { exitCode: code === 'not-pushed' ? EXIT.notPushed : EXIT.toolFailure, hint });
  }
}

/** Hide credentials in anything we print: `https://user:token@host` -> `https://***@host`. */
export function redactCredentials(text: string): string {
  return text
    .replace(/\b(https?:\/\/)[^/\s@'"]+@/gi, '$1***@')
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@:'"]+:[^/\s@'"]*@/gi, '$1***@');
}
