// Stage 5: emit. Updates the out directory in place, writing only what
// changed, so that a kill at any point leaves the previous tree or the new
// one once the next fabric run has repaired it (compiler/emit-journal.ts):
// changed files are staged inside `<out>/.fabric/`, a journal commits the
// update, then each file is renamed into place, pruned files are removed and
// the manifest comes last. Files fabric owns are listed in the manifest; only
// those are ever replaced or pruned. Everything else in the out dir (the
// user's files and directories, a .git) is never touched.
import { execFileSync } from 'node:child_process';
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { EmitError, fsHint, fsReason } from './emit-errors.ts';
import {
  applyJournal,
  FABRIC_DIR,
  fsyncPath,
  JOURNAL_PATH,
  needsRecovery,
  recoverOutDir,
  stageName,
  writeJournal,
  type Journal,
} from './emit-journal.ts';
import { acquireLock, type LockOptions } from './emit-lock.ts';
import { MANIFEST_PATH, type Manifest, type RenderedFile } from './emit-types.ts';
import { processAlive } from './pid.ts';
import { contentDigest, sha256 } from './digest.ts';
import { identityOf, type FileState } from './stamp.ts';

export { EmitError };

export interface EmitResult {
  written: string[];
  unchanged: string[];
  removed: string[];
  /** False when nothing on disk changed. */
  changed: boolean;
  /** With `identities`: each owned file's identity (stamp.ts) as emit left it, from its own lstat, and digest. */
  identities?: Map<string, FileState>;
}

export interface EmitOptions extends LockOptions {
  /** How the output names the spec (the manifest's `spec`). */
  specPath: string;
  /** The spec file on disk, when specPath is not a path from the working directory (the out-dir safety check). */
  specFile?: string;
  specSource: string;
  /** Test hook: called after each staged file, to simulate a crash mid-write. */
  afterStagedFile?: (path: string) => void;
  /** Test hook: called after each file renamed into the tree (the journal is committed by then). */
  afterRename?: (path: string) => void;
  /** Called once the tree is in place, still holding the lock (no other compile can change it meanwhile). */
  whileLocked?: (result: EmitResult) => void;
  /**
   * Return every owned file's identity (for the compile stamp), taken by the
   * lstat that compared it (before its contents were read, so a file edited
   * meanwhile never passes for fabric's) instead of a second pass over the tree.
   */
  identities?: boolean;
  /**
   * The files the last compile left (stamp.ts lastCompiledFiles): one whose
   * lstat shows the recorded identity is compared by digest, not read.
   */
  known?: Map<string, FileState>;
}

export function manifestFile(files: RenderedFile[], opts: Pick<EmitOptions, 'specPath' | 'specSource'>): RenderedFile {
  const manifest: Manifest = {
    generator: 'fabric',
    spec: opts.specPath,
    specHash: sha256(opts.specSource),
    files: [...files.map((f) => f.path), MANIFEST_PATH].sort(),
  };
  return { path: MANIFEST_PATH, contents: JSON.stringify(manifest, null, 2) + '\n' };
}

/** Rejects paths that would leave the tree (docs/reliability.md D3). */
export function assertSafeRelative(path: string): void {
  const parts = path.split('/');
  if (
    path.startsWith('/') ||
    parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\0') || p.includes('\\'))
  ) {
    throw new EmitError(`refusing to write outside the output tree: ${JSON.stringify(path)}`);
  }
}

function readManifest(outDir: string): Manifest | undefined {
  const file = join(outDir, MANIFEST_PATH);
  if (!existsSync(file)) return undefined;
  try {
    const m = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
    if (m.generator !== 'fabric' || !Array.isArray(m.files)) throw new Error('not a fabric manifest');
    // Entries name what may be pruned; one outside the tree is never fabric's (docs/reliability.md D2).
    for (const f of m.files) {
      try {
        assertSafeRelative(String(f));
      } catch {
        throw new Error(`it lists ${JSON.stringify(f)}, which is outside the output tree`);
      }
    }
    return m;
  } catch (e) {
    throw new EmitError(`${file} is damaged: ${(e as Error).message}`, 'delete the output directory and compile again');
  }
}

function checkOutDir(abs: string, specPath: string): void {
  const forbidden = new Set([resolve('/'), resolve(homedir()), resolve(dirname(specPath))]);
  if (forbidden.has(abs))
    throw new EmitError(
      `refusing to use ${abs} as the output directory`,
      'pass --out with a directory of its own, such as out/',
    );
  let st;
  try {
    st = lstatSync(abs, { throwIfNoEntry: false });
  } catch (e) {
    // A name too long, a loop or no permission on the way (CLI fuzzer: a 60,000-character --out gave exit 70).
    const reason = fsReason(e);
    if (!reason) throw e;
    throw new EmitError(
      `cannot use ${abs} as the output directory: ${reason}`,
      fsHint(e, abs) ?? 'pass --out with another directory',
    );
  }
  if (!st) return;
  if (st.isSymbolicLink())
    throw new EmitError(
      `${abs} is a symbolic link; fabric does not write through links`,
      'point --out at a real directory',
    );
  if (!st.isDirectory()) throw new EmitError(`${abs} exists and is not a directory`, 'pass --out with a directory');
  if (!existsSync(join(abs, MANIFEST_PATH)) && readdirSync(abs).length > 0) {
    throw new EmitError(
      `${abs} is not empty and fabric did not create it (no ${MANIFEST_PATH})`,
      'compile into a new or empty directory; fabric only replaces trees it wrote',
    );
  }
}

/**
 * An earlier fabric swapped whole trees: a run of it killed between its two
 * renames left the old tree as `.<out>.fabric-old-<pid>` and no out dir. Put
 * such a tree back, and delete dead runs' stages of that scheme.
 */
function recoverLegacySwap(abs: string): void {
  const parent = dirname(abs);
  const base = basename(abs);
  let entries: string[];
  try {
    entries = readdirSync(parent).filter(
      (e) => e.startsWith(`.${base}.fabric-old-`) || e.startsWith(`.${base}.fabric-stage-`),
    );
  } catch {
    return;
  }
  for (const entry of entries) {
    const pid = Number(entry.slice(entry.lastIndexOf('-') + 1));
    if (pid !== process.pid && processAlive(pid)) continue; // never another live run's
    if (entry.startsWith(`.${base}.fabric-old-`) && !existsSync(abs)) renameSync(join(parent, entry), abs);
    else rmSync(join(parent, entry), { recursive: true, force: true });
  }
}

const hasLegacyLeftovers = (abs: string) => {
  try {
    const base = basename(abs);
    return readdirSync(dirname(abs)).some(
      (e) => e.startsWith(`.${base}.fabric-old-`) || e.startsWith(`.${base}.fabric-stage-`),
    );
  } catch {
    return false;
  }
};

/**
 * Repairs what a killed fabric left in the out dir (a committed update is
 * finished, an uncommitted one discarded), under the out dir's lock. Every
 * command that reads the out dir calls this first; it costs one readdir when
 * there is nothing to repair.
 */
export function recoverInterrupted(outDir: string, options: LockOptions = {}): void {
  const abs = resolve(outDir);
  if (!needsRecovery(abs) && !hasLegacyLeftovers(abs)) return;
  const release = acquireLock(abs, options);
  try {
    recoverLocked(abs);
  } finally {
    release();
  }
}

function recoverLocked(abs: string): void {
  try {
    recoverLegacySwap(abs);
    recoverOutDir(abs);
  } catch (e) {
    if (e instanceof EmitError) throw e;
    const why = fsReason(e);
    if (!why) throw e;
    throw new EmitError(
      `could not finish the interrupted update of ${abs}: ${why}`,
      fsHint(e, abs) ?? `it is recorded in ${join(abs, JOURNAL_PATH)}; fix the cause and run again`,
    );
  }
}

export function emitTree(files: RenderedFile[], outDir: string, opts: EmitOptions): EmitResult {
  const abs = resolve(outDir);
  checkOutDir(abs, opts.specFile ?? opts.specPath);
  for (const f of files) assertSafeRelative(f.path);
  const release = acquireLock(abs, opts);
  try {
    recoverLocked(abs);
    checkOutDir(abs, opts.specFile ?? opts.specPath);
    const result = emitLocked(files, abs, opts);
    opts.whileLocked?.(result);
    return result;
  } finally {
    release();
  }
}

/** The owned directories of the tree that exist, checked to be real directories; the rest do not exist. */
function existingDirs(abs: string, paths: Iterable<string>): Set<string> {
  const dirs = new Set<string>();
  for (const p of paths) for (let d = dirname(p); d !== '.' && !dirs.has(d); d = dirname(d)) dirs.add(d);
  const existing = new Set<string>();
  const missing = new Set<string>();
  // Parents first: under a missing directory nothing exists, so no lookup.
  for (const d of [...dirs].sort((a, b) => a.length - b.length)) {
    if (missing.has(dirname(d))) {
      missing.add(d);
      continue;
    }
    const st = lstatSync(join(abs, d), { throwIfNoEntry: false });
    if (!st) missing.add(d);
    else if (st.isSymbolicLink())
      throw new EmitError(
        `${join(abs, d)} is a symbolic link inside the output tree`,
        'replace the link with the directory; fabric does not follow links in its output',
      );
    else if (!st.isDirectory())
      throw new EmitError(
        `${join(abs, d)} exists and is not a directory`,
        'remove it; fabric writes a directory there',
      );
    else existing.add(d);
  }
  return existing;
}

interface Compared {
  missing: string[];
  different: string[];
  unchanged: string[];
  /** The identity and digest of each unchanged file, when asked for. */
  identities?: Map<string, FileState>;
}

/** Each rendered file against the disk; throws where compile must not write (a link, a file fabric does not own). */
function compareWithDisk(
  all: RenderedFile[],
  abs: string,
  owned: Set<string> | undefined,
  identities = false,
  known?: Map<string, FileState>,
): Compared {
  const dirs = existingDirs(
    abs,
    all.map((f) => f.path),
  );
  const r: Compared = { missing: [], different: [], unchanged: [], ...(identities ? { identities: new Map() } : {}) };
  for (const f of all) {
    const d = dirname(f.path);
    const st =
      d === '.' || dirs.has(d) ? lstatSync(join(abs, f.path), { throwIfNoEntry: false, bigint: true }) : undefined;
    if (!st) {
      r.missing.push(f.path);
      continue;
    }
    const target = join(abs, f.path);
    if (!st.isFile())
      throw new EmitError(`${target} exists and is not a regular file`, 'remove it; fabric writes a file there');
    if (owned && !owned.has(f.path))
      throw new EmitError(
        `${target} exists but fabric did not write it`,
        'move the file away; fabric will not overwrite files it does not own',
      );
    const identity = identityOf(st);
    const was = known?.get(f.path);
    const digest = was || identities ? contentDigest(f.contents) : '';
    const same =
      was?.identity === identity
        ? was.digest === digest
        : st.size === BigInt(Buffer.byteLength(f.contents)) && readFileSync(target, 'utf8') === f.contents;
    (same ? r.unchanged : r.different).push(f.path);
    if (same) r.identities?.set(f.path, { identity, digest });
  }
  return r;
}

/** Fails before anything is written when a directory that must change is not writable (root passes; EROFS does not). */
function assertWritable(abs: string, paths: string[]): void {
  const checked = new Set<string>();
  for (const p of [`${FABRIC_DIR}/x`, ...paths]) {
    let dir = dirname(join(abs, p));
    while (!existsSync(dir) && dir !== dirname(dir)) dir = dirname(dir);
    if (checked.has(dir)) continue;
    checked.add(dir);
    try {
      accessSync(dir, constants.W_OK);
    } catch (e) {
      throw new EmitError(
        `could not write ${abs}: ${fsReason(e) ?? (e as Error).message} (${dir}); the previous tree is unchanged`,
        fsHint(e, dir),
      );
    }
  }
}

function emitLocked(files: RenderedFile[], abs: string, opts: EmitOptions): EmitResult {
  const rendered = files.filter((f) => f.path !== MANIFEST_PATH);
  const all = [...rendered, manifestFile(rendered, opts)];
  // Looked at once, under the lock.
  const outExists = existsSync(abs);
  const old = outExists ? readManifest(abs) : undefined;
  const owned = new Set(old?.files ?? []);
  const next = new Set(all.map((f) => f.path));
  const removed = [...owned].filter((p) => !next.has(p)).sort();
  if (outExists) existingDirs(abs, removed); // never delete through a link either
  const cmp: Compared = outExists
    ? compareWithDisk(all, abs, owned, opts.identities, opts.known)
    : { missing: [...next], different: [], unchanged: [], ...(opts.identities ? { identities: new Map() } : {}) };
  const changedSet = new Set([...cmp.missing, ...cmp.different]);
  const written = all.filter((f) => changedSet.has(f.path)).map((f) => f.path);
  const unchanged = cmp.unchanged;
  const done = (changed: boolean, staged = new Map<string, string>()): EmitResult => {
    // The files just written: their identities now, or as written where no rename since changed them
    // (the others were taken by the comparison).
    for (const f of cmp.identities ? all.filter((f) => changedSet.has(f.path)) : [])
      cmp.identities!.set(f.path, {
        identity: staged.get(f.path) ?? identityOf(lstatSync(join(abs, f.path), { bigint: true })),
        digest: contentDigest(f.contents),
      });
    return { written, unchanged, removed, changed, ...(cmp.identities ? { identities: cmp.identities } : {}) };
  };
  if (written.length === 0 && removed.length === 0) return done(false);
  if (outExists) assertWritable(abs, [...written, ...removed]);

  const { journal, identities } = stageFiles(
    all.filter((f) => changedSet.has(f.path)),
    abs,
    removed,
    Boolean(old),
    opts,
  );
  try {
    applyJournal(abs, journal, { afterRename: opts.afterRename });
  } catch (e) {
    if (e instanceof EmitError || !fsReason(e)) throw e;
    throw new EmitError(
      `could not finish updating ${abs}: ${fsReason(e)}; the update is recorded in ${join(abs, JOURNAL_PATH)} and the next fabric run on ${abs} finishes it`,
      fsHint(e, abs),
    );
  }
  return done(true, identities);
}

/**
 * The top-level entries of a first tree, when none of them is in the out dir
 * (checkOutDir allows nothing but fabric's own directory there): the stage is
 * then laid out as the tree and each entry is renamed into place whole, one
 * rename for `gitops/` instead of one per file (about 0.1 s at 300
 * environments here, docs/performance.md). Otherwise undefined: a file at a time.
 */
function wholeEntries(abs: string, changed: RenderedFile[], replacing: boolean): string[] | undefined {
  if (replacing) return undefined;
  const tops = [...new Set(changed.filter((f) => f.path !== MANIFEST_PATH).map((f) => f.path.split('/')[0]))];
  return tops.some((t) => lstatSync(join(abs, t), { throwIfNoEntry: false })) ? undefined : tops.sort();
}

/**
 * Writes the changed files into the stage and commits the journal. Before the
 * commit nothing in the tree has changed: any failure deletes the stage. With
 * `opts.identities`, the identities of the files inside a directory renamed
 * whole, taken as written: renaming their directory leaves them as they are
 * (a file renamed itself gets a new ctime, so emit looks at it after).
 */
function stageFiles(
  changed: RenderedFile[],
  abs: string,
  remove: string[],
  replacing: boolean,
  opts: EmitOptions,
): { journal: Journal; identities: Map<string, string> } {
  const stage = join(abs, FABRIC_DIR, stageName(process.pid));
  const journal: Journal = {
    version: 1,
    pid: process.pid,
    stage: stageName(process.pid),
    renames: [],
    remove,
    manifest: '',
  };
  try {
    mkdirSync(join(abs, FABRIC_DIR), { recursive: true });
    rmSync(stage, { recursive: true, force: true });
    mkdirSync(stage);
    const whole = wholeEntries(abs, changed, replacing);
    const dirsMade = new Set<string>();
    const staged: string[] = [];
    const identities = new Map<string, string>();
    changed.forEach((f, i) => {
      const name = whole ? f.path : String(i);
      const path = join(stage, name);
      const dir = dirname(path);
      if (!dirsMade.has(dir)) {
        mkdirSync(dir, { recursive: true });
        dirsMade.add(dir);
      }
      const identity = writeNewFile(
        path,
        f.contents,
        Boolean(opts.identities && whole && f.path !== MANIFEST_PATH && f.path.includes('/')),
      );
      if (identity) identities.set(f.path, identity);
      staged.push(path);
      if (f.path === MANIFEST_PATH) journal.manifest = name;
      else if (!whole) journal.renames.push([name, f.path]);
      opts.afterStagedFile?.(f.path);
    });
    if (whole) journal.renames = whole.map((t) => [t, t]);
    if (replacing) flushStage(stage, staged);
    writeJournal(abs, journal);
    return { journal, identities };
  } catch (e) {
    rmSync(stage, { recursive: true, force: true });
    // A first compile that failed leaves the out dir as empty as it found it.
    if (!replacing) rmSync(join(abs, FABRIC_DIR), { recursive: true, force: true });
    if (e instanceof EmitError) throw e;
    const why = fsReason(e);
    if (!why) throw e;
    throw new EmitError(`could not write ${abs}: ${why}; the previous tree is unchanged`, fsHint(e, abs));
  }
}

/**
 * Creates `path` (it must not exist yet) holding `contents`, and returns its
 * identity when asked (an fstat: no path to look up). writeFileSync copies a
 * string into a new Buffer first; writeSync writes the string itself, 40-60
 * ms less for the 8,451 files of 300 environments here (docs/performance.md).
 */
function writeNewFile(path: string, contents: string, identity: boolean): string | undefined {
  const fd = openSync(path, 'wx', 0o644);
  try {
    let at = writeSync(fd, contents);
    // After the write, which flattened the string (rendered text is concatenated): counting is then cheap.
    const bytes = Buffer.byteLength(contents);
    // A short write (the disk or the file size limit reached): the rest goes on until write fails, as in writeFileSync.
    if (at < bytes) for (const rest = Buffer.from(contents); at < bytes;) at += writeSync(fd, rest, at);
    return identity ? identityOf(fstatSync(fd, { bigint: true })) : undefined;
  } finally {
    closeSync(fd);
  }
}

/** Up to this many staged files are fsynced one by one: `sync -f` costs a process (10-125 ms measured here). */
const FSYNC_EACH_UP_TO = 64;

/**
 * The staged files reach the disk before the journal commits them, so a power
 * loss cannot leave empty files where a good tree was. A few files (an edit)
 * are fsynced one by one, with the stage directory; many, with one `sync -f`
 * (syncfs of that file system), or one by one where it is missing. Only when a
 * tree is replaced: a first compile has nothing to lose, and a power loss that
 * empties some of its files is repaired by the next compile, which finds them
 * different.
 */
function flushStage(stage: string, files: string[]): void {
  if (files.length > FSYNC_EACH_UP_TO)
    try {
      execFileSync('sync', ['-f', stage], { stdio: 'ignore', timeout: 60_000 });
      return;
    } catch {
      // no sync(1): each file
    }
  for (const f of [...files, stage]) fsyncPath(f);
}

/** The files on disk that differ from a rendered tree (for compile --check); repairs an interrupted update first. */
export function diffAgainstDisk(
  files: RenderedFile[],
  outDir: string,
  opts: Pick<EmitOptions, 'specPath' | 'specSource' | 'known'> & LockOptions,
): { missing: string[]; different: string[]; extra: string[] } {
  const abs = resolve(outDir);
  recoverInterrupted(abs, opts);
  const rendered = files.filter((f) => f.path !== MANIFEST_PATH);
  const all = [...rendered, manifestFile(rendered, opts)];
  const st = lstatSync(abs, { throwIfNoEntry: false });
  if (st?.isSymbolicLink())
    throw new EmitError(
      `${abs} is a symbolic link; fabric does not write through links`,
      'point --out at a real directory',
    );
  if (!st) return { missing: all.map((f) => f.path), different: [], extra: [] };
  if (!st.isDirectory())
    throw new EmitError(`${abs} exists and is not a directory`, 'point --out at a directory, or remove what is there');
  const { missing, different } = compareWithDisk(all, abs, undefined, false, opts.known);
  const old = readManifest(abs);
  const next = new Set(all.map((f) => f.path));
  const extra = (old?.files ?? []).filter((p) => !next.has(p) && existsSync(join(abs, p)));
  return { missing, different, extra };
}
