// fabric's errors and exit codes, in one place. Every stage throws a FabricError
// (or a subclass) for a failure the user can fix; the CLI (compiler/cli/output.ts)
// prints its message and hint and exits with its code. Anything else that reaches
// the CLI is a bug in fabric and exits EXIT.internal.
import type { Diagnostic } from './diagnostics.ts';

/**
 * The exit codes of every fabric command (README "Commands" and docs/cli.md list them).
 * notPushed: the commit exists in fabric's cache clone but did not reach the remote.
 */
export const EXIT = {
  ok: 0,
  /** The spec has errors (diagnostics printed), or a check over the tree failed. */
  invalidSpec: 1,
  /** The command line is wrong: unknown command or option, bad value, extra argument. */
  usage: 2,
  /** A file cannot be read or written (the spec file included), or a tool, git or a cluster failed. */
  toolFailure: 3,
  /** `diff --exit-code`: there are changes. */
  changes: 4,
  notPushed: 5,
  /** A bug in fabric. */
  internal: 70,
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure with a message for the user, an optional fix, and the exit code it means. No stack is printed. */
export class FabricError extends Error {
  readonly exitCode: number;
  readonly hint?: string;
  constructor(message: string, opts: { exitCode?: number; hint?: string } = {}) {
    super(message);
    this.name = new.target.name;
    this.exitCode = opts.exitCode ?? EXIT.toolFailure;
    this.hint = opts.hint;
  }
}

/** The command line is wrong (exit 2). */
export class UsageError extends FabricError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: EXIT.usage, hint });
  }
}

/** The spec did not compile; the diagnostics say why (the CLI prints them). */
export class SpecInvalidError extends FabricError {
  constructor(
    readonly specPath: string,
    readonly diagnostics: Diagnostic[],
    readonly source?: string,
  ) {
    super(`${specPath} is not valid`, { exitCode: specExitCode(diagnostics) });
  }
}

/**
 * A spec that cannot be read at all (FAB001: missing, a directory, no permission) is an I/O failure (3),
 * not an invalid spec (1): a CI step can tell "the file is wrong" from "the path is wrong".
 */
export function specExitCode(diagnostics: Diagnostic[]): number {
  return diagnostics.some((d) => d.code === 'FAB001') ? EXIT.toolFailure : EXIT.invalidSpec;
}
