// The compile stamp: what the last compile of a spec into a directory wrote,
// so that compiling the same spec again with the same fabric, into a tree
// nobody touched since, answers "up to date" without rendering. It lives in
// fabric's cache (never in the output tree), one file per output directory.
//
// The stamp holds: the build of fabric (a hash of the bundle; from source
// there is none and stamps are off), the spec's path as given and its text,
// the diagnostics (warnings) that compile printed, and for every file fabric
// owns its inode, size, mtime and ctime in nanoseconds and a digest of its
// contents. Any write, rename, chmod or link changes a file's ctime, which
// no tool can set back; so a file edited by hand, replaced, removed or
// restored never matches, and any doubt means a normal compile.
//
// The digests serve the compile after an edit of the spec: a file whose
// identity is the one recorded still holds what the digest describes, so emit
// compares digests instead of reading it (compiler/emit.ts).
//
// A timestamp is as fine as the kernel's clock tick: a file edited in the tick
// fabric wrote it keeps its ctime. So, as git does for its index ("racily
// clean" entries), a file whose ctime is not older than the stamp itself is
// never trusted; and the stamp is written once the tick of the last file has
// passed, so that normally no file is left in doubt.
import {
  lstatSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  type BigIntStats,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from './diagnostics.ts';
import { needsRecovery } from './emit-journal.ts';
import { MANIFEST_PATH } from './emit-types.ts';
import { makeDirs } from './mkdirs.ts';
import { cacheFileName, cacheRoot } from './paths.ts';

interface Stamp {
  build: string;
  specPath: string;
  /** The spec's text: compared as it is, no hash to compute (see digest.ts). */
  spec: string;
  out: string;
  diagnostics: Diagnostic[];
  /** Path under the output directory -> "ino:size:mtimeNs:ctimeNs <digest of the contents>". */
  files: Record<string, string>;
}

/** A file fabric left in the tree: its identity (below) and the digest of its contents. */
export interface FileState {
  identity: string;
  digest: string;
}

let build: string | null | undefined;

/** The bundle's build id (scripts/build.mjs writes it beside the bundle); null from source. */
export function buildId(): string | null {
  if (build === undefined) {
    try {
      build = readFileSync(fileURLToPath(new URL('./fabric.build-id', import.meta.url)), 'utf8').trim() || null;
    } catch {
      build = null;
    }
  }
  return build;
}

const stampFile = (out: string) => join(cacheRoot(), 'stamps', cacheFileName(resolve(out)));

/** What changes whenever a file is written, replaced, renamed, chmod-ed or linked (see the top of this file). */
export const identityOf = (st: BigIntStats) => `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;

function identity(path: string): string {
  const st = lstatSync(path, { bigint: true });
  if (!st.isFile()) throw new Error(`${path} is not a file`);
  return identityOf(st);
}

export interface UpToDate {
  files: number;
  diagnostics: Diagnostic[];
  source: string;
}

/** The stamp this fabric left for `out`, and which of its records may be trusted. */
export interface LastCompile {
  stamp: Stamp;
  trusted: (state: string) => boolean;
}

/** The last compile of this fabric into `out`, read once per command; undefined without a stamp. */
export function lastCompile(out: string): LastCompile | undefined {
  const id = buildId();
  if (!id || process.env.FABRIC_NO_STAMP) return undefined;
  try {
    const last = readStamp(out);
    return last.stamp.build === id && last.stamp.out === resolve(out) ? last : undefined;
  } catch {
    return undefined; // no stamp or a damaged one
  }
}

/** The last compile's result when nothing that decides the output changed since; otherwise undefined. */
export function unchangedSinceLastCompile(
  specPath: string,
  out: string,
  last = lastCompile(out),
): UpToDate | undefined {
  if (!last) return undefined;
  const { stamp, trusted } = last;
  try {
    const source = readFileSync(specPath, 'utf8');
    if (stamp.specPath !== specPath || stamp.spec !== source) return undefined;
    // The output directory itself as the normal path accepts it: a real directory, not a link to one.
    if (!lstatSync(out).isDirectory()) return undefined;
    // An interrupted update to repair (compiler/emit-journal.ts): the normal path does that.
    const root = resolve(out);
    if (needsRecovery(root)) return undefined;
    const entries = Object.entries(stamp.files);
    if (!entries.some(([p]) => p === MANIFEST_PATH)) return undefined;
    for (const [path, was] of entries)
      if (!trusted(was) || !was.startsWith(`${identity(join(root, path))} `)) return undefined;
    return { files: entries.length, diagnostics: stamp.diagnostics, source };
  } catch {
    return undefined; // a spec or a file gone: compile
  }
}

/**
 * The files the last compile left in its out dir, whatever the spec. Emit
 * still lstats each file: only one whose identity is unchanged is taken to
 * hold what its digest describes.
 */
export function lastCompiledFiles(last: LastCompile | undefined): Map<string, FileState> | undefined {
  if (!last) return undefined;
  const known = new Map<string, FileState>();
  for (const [path, state] of Object.entries(last.stamp.files)) {
    const [identity, digest] = state.split(' ');
    if (last.trusted(state)) known.set(path, { identity, digest });
  }
  return known;
}

/**
 * Records the compile that just left `owned` (every file fabric wrote or kept,
 * the manifest among them, with the identity emit took of each) in `out`.
 * Best effort: a cache that cannot be written only costs speed.
 */
export function recordCompile(
  specPath: string,
  specSource: string,
  out: string,
  diagnostics: Diagnostic[],
  owned: Map<string, FileState>,
): void {
  const id = buildId();
  if (!id || process.env.FABRIC_NO_STAMP) return;
  const file = stampFile(out);
  try {
    const files = Object.fromEntries([...owned].map(([p, f]) => [p, `${f.identity} ${f.digest}`]));
    const stamp: Stamp = { build: id, specPath, spec: specSource, out: resolve(out), diagnostics, files };
    makeDirs(dirname(file));
    const temp = `${file}.${process.pid}.tmp`;
    const changes = [...owned.values()].map((f) => ctimeNsOf(f.identity));
    writeAfterTick(
      temp,
      JSON.stringify(stamp),
      changes.reduce((a, b) => (a > b ? a : b), 0n),
    );
    renameSync(temp, file);
    pruneOldest(dirname(file));
  } catch {
    // The next compile renders again; nothing else depends on the stamp.
  }
}

const ctimeNsOf = (state: string) => BigInt(state.slice(state.lastIndexOf(':') + 1).split(' ')[0]);

/** The stamp of `out` and which of its records may be trusted: those of files changed before it was written. */
function readStamp(out: string): { stamp: Stamp; trusted: (state: string) => boolean } {
  const file = stampFile(out);
  const written = lstatSync(file, { bigint: true }).mtimeNs;
  const stamp = JSON.parse(readFileSync(file, 'utf8')) as Stamp;
  return { stamp, trusted: (state) => ctimeNsOf(state) < written };
}

/** Waits up to this long for the clock to pass the last file's tick; past it, those files are re-read next time. */
const TICK_WAIT_MS = 25;

/** Writes `file`, again until its mtime is later than `after` (the kernel's clock tick has passed), within TICK_WAIT_MS. */
function writeAfterTick(file: string, contents: string, after: bigint): void {
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; ; waited++) {
    writeFileSync(file, contents);
    if (lstatSync(file, { bigint: true }).mtimeNs > after || waited >= TICK_WAIT_MS) return;
    Atomics.wait(sleeper, 0, 0, 1);
  }
}

/** One stamp per output directory ever compiled into: keep the most recent MAX_STAMPS (and as many answers, cli/replay.ts). */
const MAX_STAMPS = 100;

export function pruneOldest(dir: string): void {
  const stamps = readdirSync(dir).map((name) => ({ path: join(dir, name), mtime: statSync(join(dir, name)).mtimeMs }));
  if (stamps.length <= MAX_STAMPS) return;
  for (const s of stamps.sort((a, b) => b.mtime - a.mtime).slice(MAX_STAMPS)) rmSync(s.path, { force: true });
}
