// The no-op, answered without loading fabric. When a `fabric compile` was
// answered by the compile stamp ("up to date, untouched since the last
// compile of this spec", compiler/stamp.ts), the loader (scripts/bundle-loader.cjs)
// records what that command line printed. The same command line again (the
// same arguments, working directory, environment that decides the output,
// and terminals) is answered from the record, before the 1.1 MB bundle is
// read, when the stamp still holds: the same check as the bundle's no-op. The
// meaning of a command line is decided by the CLI alone: a record is only ever
// replayed for the very same one (and a spec the CLI found, not named, must
// be found again). Built into dist/replay.cjs by scripts/build.mjs.
import { fstatSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { makeDirs } from '../mkdirs.ts';
import { cacheFileName, cacheRoot } from '../paths.ts';
import { buildId, pruneOldest, unchangedSinceLastCompile } from '../stamp.ts';
import type { StampAnswer } from './answered.ts';
import { discoverSpec } from './discover.ts';
import { tolerateClosedPipes } from './pipes.ts';

/** The environment variables that change what fabric does or prints (colour, width, fabric's own). */
export const DECIDING_ENV = /^(FABRIC_.*|NO_COLOR|FORCE_COLOR|TERM|COLUMNS)$/;

interface Invocation {
  argv: string[];
  cwd: string;
  env: [string, string][];
  terminals: [boolean, boolean];
}

interface Answer extends StampAnswer {
  /** The fabric that printed it: another one may print another answer. */
  build: string;
  invocation: Invocation;
  stdout: string;
  stderr: string;
}

/**
 * process.stdout.isTTY without creating process.stdout, whose cost print()
 * avoids: only a character device can be a terminal, and node:tty (which
 * loads the same stream code) is asked only then (a terminal, /dev/null).
 */
function terminal(fd: 1 | 2): boolean {
  try {
    return fstatSync(fd).isCharacterDevice() && process.getBuiltinModule('node:tty').isatty(fd);
  } catch {
    return false; // a closed descriptor
  }
}

function invocation(argv: string[]): Invocation {
  return {
    argv: argv.slice(2),
    cwd: process.cwd(),
    env: Object.entries(process.env)
      .filter((e): e is [string, string] => DECIDING_ENV.test(e[0]) && e[1] !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1)),
    terminals: [terminal(1), terminal(2)],
  };
}

const answersDir = () => join(cacheRoot(), 'answers');
const answerFile = (inv: Invocation) => join(answersDir(), cacheFileName(JSON.stringify(inv)));

/** Prints the recorded answer and returns true when this command line is a no-op answered before; else false. */
export function replayNoop(argv: string[]): boolean {
  if (process.env.FABRIC_NO_STAMP) return false;
  try {
    const inv = invocation(argv);
    const answer = JSON.parse(readFileSync(answerFile(inv), 'utf8')) as Answer;
    if (answer.build !== buildId() || JSON.stringify(answer.invocation) !== JSON.stringify(inv)) return false;
    // A spec found rather than named is found again: a fabric.yaml may have appeared since.
    if (answer.discovered && discoverSpec() !== answer.spec) return false;
    if (!unchangedSinceLastCompile(answer.spec, answer.out)) return false;
    print(1, answer.stdout);
    print(2, answer.stderr);
    return true;
  } catch {
    return false; // no record, a damaged one: the bundle answers
  }
}

/**
 * Writes to the descriptor itself: process.stdout of a pipe loads Node's
 * stream and socket code, ~5 ms of a replay that costs ~15. Once the answer
 * has begun it is the answer: a reader that went away (EPIPE) or a closed
 * descriptor ends it, and a full non-blocking pipe (EAGAIN) gets the rest
 * through the stream, which waits for it.
 */
function print(fd: 1 | 2, text: string): void {
  const bytes = Buffer.from(text);
  for (let done = 0; done < bytes.length;) {
    try {
      done += writeSync(fd, bytes, done);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
        tolerateClosedPipes();
        (fd === 1 ? process.stdout : process.stderr).write(bytes.subarray(done));
      }
      return;
    }
  }
}

/** Keeps what a command line that the stamp answered printed. Best effort, as the stamp. */
export function recordNoop(argv: string[], answered: StampAnswer, printed: { stdout: string; stderr: string }): void {
  const build = buildId();
  if (!build) return;
  try {
    const inv = invocation(argv);
    const file = answerFile(inv);
    makeDirs(answersDir());
    const answer: Answer = { build, invocation: inv, ...answered, ...printed };
    writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify(answer));
    renameSync(`${file}.${process.pid}.tmp`, file);
    pruneOldest(answersDir());
  } catch {
    // The next run loads the bundle and answers from the stamp.
  }
}
