// Runs the cluster tools through execa. Every child starts in its own process
// group (detached), so a Ctrl-C reaches fabric alone and fabric decides what
// happens to the children: forward it, wait, and kill the whole group if
// asked twice (docs/reliability.md F4). Nothing runs through a shell; secrets travel
// on stdin, never in argv.
import type { ResultPromise } from 'execa';
import { displayArgv, type Argv } from './tools.ts';

export interface RunResult {
  argv: Argv;
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved, as a user would have seen them. */
  output: string;
}

export interface RunOptions {
  /** Written to the child's stdin (secrets go here, never into argv). */
  input?: string;
  /** Exit codes that are answers, not failures (e.g. 85 from `minikube status` for a missing profile). */
  okExitCodes?: number[];
}

export type FailureCause = 'exit' | 'missing' | 'signal';

/** A command that did not succeed: what ran, how it ended, what it printed. */
export class CommandFailed extends Error {
  constructor(
    readonly argv: Argv,
    readonly reason: FailureCause,
    readonly exitCode: number | undefined,
    readonly output: string,
    readonly signal?: string,
  ) {
    super(
      reason === 'missing'
        ? `${argv[0]} is not installed (not found on PATH)`
        : reason === 'signal'
          ? `${displayArgv(argv)} was stopped by ${signal}`
          : `${displayArgv(argv)} exited with code ${exitCode}`,
    );
  }

  /** The last lines of the output, for the failure report. */
  tail(lines = 20): string[] {
    const all = this.output.replace(/\s+$/, '').split('\n');
    return all.length === 1 && all[0] === '' ? [] : all.slice(-lines);
  }
}

type Child = ResultPromise<{ all: true; reject: false; detached: true }>;
type Execa = typeof import('execa').execa;

/** execa is loaded on first use, so commands that run no tool never load it. */
const loadExeca = async (): Promise<Execa> => (await import('execa')).execa;

export class Exec {
  private readonly children = new Set<Child>();

  /** `echo` (fabric apply --verbose): a stream that also gets every command's output as it comes. */
  constructor(
    readonly env: NodeJS.ProcessEnv = process.env,
    private readonly echo?: { write(text: string): unknown },
  ) {}

  get running(): number {
    return this.children.size;
  }

  async run(argv: Argv, opts: RunOptions = {}): Promise<RunResult> {
    const child = this.spawn(await loadExeca(), argv, opts.input);
    if (this.echo) {
      const echo = this.echo;
      echo.write(`$ ${argv.join(' ')}\n`);
      child.all?.on('data', (chunk: Buffer) => echo.write(chunk.toString()));
    }
    const r = await child;
    this.children.delete(child);
    const output = r.all ?? '';
    if (r.code === 'ENOENT') throw new CommandFailed(argv, 'missing', undefined, output);
    if (r.signal) throw new CommandFailed(argv, 'signal', undefined, output, r.signal);
    const exitCode = r.exitCode ?? 1;
    if (exitCode !== 0 && !(opts.okExitCodes ?? []).includes(exitCode))
      throw new CommandFailed(argv, 'exit', exitCode, output);
    return { argv, exitCode, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), output };
  }

  /**
   * Starts a long-running command (kubectl port-forward) and resolves once a
   * line of its output matches `ready`; stop() ends its process group.
   */
  async background(
    argv: Argv,
    ready: RegExp,
    timeoutMs: number,
  ): Promise<{ match: RegExpMatchArray; stop(): Promise<void> }> {
    const child = this.spawn(await loadExeca(), argv);
    let output = '';
    const stop = async () => {
      signalGroup(child.pid, 'SIGTERM');
      await child;
      this.children.delete(child);
    };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        void stop();
        reject(
          new CommandFailed(argv, 'exit', undefined, `${output}\n(no "${ready.source}" within ${timeoutMs / 1000}s)`),
        );
      }, timeoutMs);
      child.all?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = ready.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve({ match, stop });
        }
      });
      void child.then((r) => {
        clearTimeout(timer);
        this.children.delete(child);
        reject(
          new CommandFailed(
            argv,
            r.code === 'ENOENT' ? 'missing' : r.signal ? 'signal' : 'exit',
            r.exitCode,
            output,
            r.signal,
          ),
        );
      });
    });
  }

  /** Sends a signal to every running child's process group. */
  signalAll(signal: NodeJS.Signals): void {
    for (const child of this.children) signalGroup(child.pid, signal);
  }

  private spawn(execa: Execa, argv: Argv, input?: string): Child {
    const child = execa(argv[0], argv.slice(1), {
      env: this.env,
      extendEnv: false,
      all: true,
      reject: false,
      detached: true,
      ...(input === undefined ? { stdin: 'ignore' as const } : { input }),
    }) as Child;
    this.children.add(child);
    return child;
  }
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}
