// The no-op, answered without loading fabric. When a `fabric compile` was
// answered by the compile stamp ("up to date, untouched since the last
// compile of this spec", compiler/stamp.ts), the loader (scripts/bundle-loader.cjs)
// records what that command line printed. The same command line again (the
// same arguments, working directory, environment that decides the output,
// and terminals) is answered from the record, before the 1.3 MB bundle is
// read, when the stamp still holds: the same check as the bundle's no-op. The
// meaning of a command line is decided by the CLI alone: a record is only ever
// replayed for the very same one (and a spec the CLI found, not named, must
// be found again). Built into dist/replay.cjs by scripts/build.mjs.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeDirs } from '../mkdirs.ts';
import { cacheFileName, cacheRoot } from '../paths.ts';
import { buildId, pruneOldest, unchangedSinceLastCompile } from '../stamp.ts';
import type { StampAnswer } from './answered.ts';
import { discoverSpec } from './discover.ts';
import { tolerateClosedPipes } from './pipes.ts';

/** The environment variables that change what fabric does or prints (colour, width, fabric's own). */
const DECIDING_ENV = /^(FABRIC_.*|NO_COLOR|FORCE_COLOR|TERM|COLUMNS)$/;

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

function invocation(argv: string[]): Invocation {
  return {
    argv: argv.slice(2),
    cwd: process.cwd(),
    env: Object.entries(process.env)
      .filter((e): e is [string, string] => DECIDING_ENV.test(e[0]) && e[1] !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1)),
    terminals: [Boolean(process.stdout.isTTY), Boolean(process.stderr.isTTY)],
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
    tolerateClosedPipes();
    process.stdout.write(answer.stdout);
    process.stderr.write(answer.stderr);
    return true;
  } catch {
    return false; // no record, a damaged one: the bundle answers
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
