// Running git for push and diff: never a prompt, never a hang, English
// messages we can classify, and no credentials in what we print.
import path from 'node:path';
import { PushError, redactCredentials } from './errors.ts';

export interface Git {
  /** The work tree every command runs in. */
  readonly dir: string;
  /** Runs `git <args>` and returns stdout; failures become a PushError. */
  run(args: string[]): Promise<string>;
}

/** Seconds of silence after which a git command is stopped (FABRIC_GIT_TIMEOUT overrides). */
export const DEFAULT_TIMEOUT_MS = 120_000;

/** The longest timer Node keeps (a longer one fires after 1 ms, with a warning). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function timeoutFromEnv(): number {
  const seconds = Number(process.env.FABRIC_GIT_TIMEOUT);
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds * 1000, MAX_TIMER_MS) : DEFAULT_TIMEOUT_MS;
}

// Variables that would point git at another repository (set when fabric runs
// inside a git hook), or open an editor or pager that nobody will close.
const DROPPED_ENV = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_COMMON_DIR',
  'GIT_NAMESPACE',
  'GIT_PREFIX',
  'GIT_EDITOR',
  'GIT_SEQUENCE_EDITOR',
  'EDITOR',
  'VISUAL',
  'GIT_PAGER',
  'PAGER',
  'GIT_EXTERNAL_DIFF',
];

/**
 * The environment for every git command. GIT_TERMINAL_PROMPT=0 and ssh
 * BatchMode turn a credential prompt into an error instead of a hang
 * (docs/reliability.md E2); LC_ALL=C keeps git's messages in the English we classify.
 * The user's own ssh command (env or core.sshCommand) is kept, with BatchMode added.
 */
export function gitEnv(cloneDir: string, configuredSshCommand?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of DROPPED_ENV) delete env[name];
  const sshCommand = env.GIT_SSH_COMMAND || configuredSshCommand || (env.GIT_SSH ? undefined : 'ssh');
  if (sshCommand) env.GIT_SSH_COMMAND = `${sshCommand} -o BatchMode=yes`;
  return {
    ...env,
    GIT_TERMINAL_PROMPT: '0',
    LC_ALL: 'C',
    LANGUAGE: 'C',
    // Paths we pass are file names, never globs.
    GIT_LITERAL_PATHSPECS: '1',
    // Never let git wander up from the cache clone into an enclosing repository.
    GIT_CEILING_DIRECTORIES: path.dirname(cloneDir),
  };
}

export async function openGit(
  dir: string,
  options: { remoteURL: string; timeoutMs: number; sshCommand?: string },
): Promise<Git> {
  const { simpleGit } = await import('simple-git');
  const git = simpleGit({
    baseDir: dir,
    timeout: { block: options.timeoutMs },
    // simple-git refuses these variables unless allowed: they are the user's
    // own environment, which plain git would read too, plus our GIT_SSH_COMMAND.
    unsafe: {
      allowUnsafeSshCommand: true,
      allowUnsafeAskPass: true,
      allowUnsafeConfigPaths: true,
      allowUnsafeConfigEnvCount: true,
      allowUnsafeGitProxy: true,
      allowUnsafeTemplateDir: true,
    },
  }).env(gitEnv(dir, options.sshCommand));
  return {
    dir,
    async run(args) {
      try {
        return await git.raw(args);
      } catch (e) {
        throw classifyGitError(e, args, { ...options, dir });
      }
    },
  };
}

const AUTH_FAILURE =
  /could not read (username|password)|terminal prompts disabled|authentication failed|permission denied \(publickey|host key verification failed|http[^\n]*\b40[13]\b|returned error: 40[13]|invalid credentials|invalid username or password/i;
const UNREACHABLE =
  /could not resolve host|connection refused|unable to connect|couldn't connect|connection timed out|no route to host|network is unreachable|does not appear to be a git repository|repository [^\n]* not found|not exported|could not read from remote repository|unable to access|http[^\n]*\b404\b/i;

// fetch and push run with --progress so that a long transfer keeps resetting
// the silence timeout; those lines are noise in an error message.
const PROGRESS =
  /^(remote: )?(Enumerating|Counting|Compressing|Writing|Total|Delta|Receiving|Resolving|Unpacking|Finding) /;

function withoutProgress(text: string): string {
  return text
    .split(/\r|\n/)
    .filter((l) => !PROGRESS.test(l.trim()))
    .join('\n');
}

/** The line of git's output that says what went wrong. */
function gitReason(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('hint:'));
  const first = lines.findIndex((l) => /^(fatal|error):/.test(l));
  if (first < 0) return lines[lines.length - 1] ?? 'no output';
  // git sometimes puts the cause on the next line ("unable to connect to host:" / "errno=Connection refused");
  // otherwise the next line is advice that may be cut mid-sentence ("... in this repository, e.g.").
  return lines[first].endsWith(':') ? lines.slice(first, first + 2).join(' ') : lines[first];
}

export function classifyGitError(
  e: unknown,
  args: string[],
  context: { remoteURL: string; timeoutMs: number; dir: string },
): PushError {
  const err = e as { message?: string; plugin?: string };
  const text = withoutProgress(redactCredentials(String(err.message ?? e)));
  const url = redactCredentials(context.remoteURL);
  const command = `git ${args.find((a) => !a.startsWith('-') && !a.includes('=')) ?? ''}`.trim();
  // simple-git reports a git that cannot be started with the spawn error's stack in its message.
  if (/\bspawn \S*git E(NOENT|ACCES)\b/.test(text))
    return new PushError(
      'git-failed',
      `${command} failed: git cannot be run (not on PATH, or not executable)`,
      'install git, or put it on PATH',
    );
  if (err.plugin === 'timeout') {
    return new PushError(
      'timeout',
      `${command} produced no output for ${context.timeoutMs / 1000}s and was stopped (remote ${url})`,
      'check that the remote answers (`git ls-remote <url>`), or allow more time with FABRIC_GIT_TIMEOUT=<seconds>',
    );
  }
  if (/\[(remote )?rejected\]/.test(text)) {
    // The push reached the remote and was refused; the caller decides (retry or report).
    return new PushError('git-failed', `${command} failed: ${text.trim()}`);
  }
  if (/couldn't find remote ref/i.test(text)) {
    return new PushError('branch-missing', gitReason(text));
  }
  if (/index\.lock'?: File exists|unable to create '[^']*\.lock'/i.test(text)) {
    return new PushError(
      'git-locked',
      `${command} failed: ${gitReason(text)}`,
      `another git process is using ${context.dir}; if none is running, delete the .lock file named above`,
    );
  }
  if (AUTH_FAILURE.test(text)) {
    return new PushError(
      'auth-failed',
      `authentication to ${url} failed: ${gitReason(text)}`,
      'fabric runs git without prompts: configure a credential helper (https) or an ssh agent / key without a passphrase, then check with `git ls-remote <url>`',
    );
  }
  if (UNREACHABLE.test(text)) {
    return new PushError(
      'remote-unreachable',
      `cannot reach ${url}: ${gitReason(text)}`,
      'check --repo-url (git.repoURL in the spec) and the network; `git ls-remote <url>` must succeed',
    );
  }
  return new PushError('git-failed', `${command} failed: ${text.trim()}`);
}
