// Stage 5: emit. Writes the rendered tree into the out directory so that an
// interrupted run leaves the previous tree: the new tree is staged beside the
// old one (unchanged and foreign files hard-linked, not rewritten), then the
// two are swapped by rename. Files fabric owns are listed in a manifest; only
// those are ever replaced or pruned, files fabric never wrote are carried over.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { EXIT, FabricError } from './errors.ts';
import { MANIFEST_PATH, type Manifest, type RenderedFile } from './emit-types.ts';
import { processAlive } from './pid.ts';

export class EmitError extends FabricError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: EXIT.toolFailure, hint });
  }
}

export interface EmitResult {
  written: string[];
  unchanged: string[];
  removed: string[];
  /** False when nothing on disk changed. */
  changed: boolean;
}

export interface EmitOptions {
  /** How the output names the spec (the manifest's `spec`). */
  specPath: string;
  /** The spec file on disk, when specPath is not a path from the working directory (the out-dir safety check). */
  specFile?: string;
  specSource: string;
  /** Test hook: called after each staged file, to simulate a crash mid-write. */
  afterStagedFile?: (path: string) => void;
  /** Called once the tree is in place, still holding the lock (no other compile can change it meanwhile). */
  whileLocked?: (result: EmitResult) => void;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export function manifestFile(files: RenderedFile[], opts: Pick<EmitOptions, 'specPath' | 'specSource'>): RenderedFile {
  const manifest: Manifest = {
    generator: 'fabric',
    spec: opts.specPath,
    specHash: sha256(opts.specSource),
    files: [...files.map((f) => f.path), MANIFEST_PATH].sort(),
  };
  return { path: MANIFEST_PATH, contents: JSON.stringify(manifest, null, 2) + '\n' };
}

/** Rejects paths that would leave the tree (RELIABILITY D3). */
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
    // Entries name what may be pruned; one outside the tree is never fabric's (RELIABILITY D2).
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

function checkOutDir(outDir: string, specPath: string): void {
  const abs = resolve(outDir);
  const forbidden = new Set([resolve('/'), resolve(homedir()), resolve(dirname(specPath))]);
  if (forbidden.has(abs))
    throw new EmitError(
      `refusing to use ${abs} as the output directory`,
      'pass --out with a directory of its own, such as out/',
    );
  if (!existsSync(abs)) return;
  const st = lstatSync(abs);
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

/** Finishes or undoes a swap that a killed run left half done. */
export function recoverInterruptedSwap(outDir: string): void {
  const abs = resolve(outDir);
  const parent = dirname(abs);
  const base = basename(abs);
  if (!existsSync(parent)) return;
  for (const entry of readdirSync(parent)) {
    if (entry.startsWith(`.${base}.fabric-old-`)) {
      if (!existsSync(abs))
        renameSync(join(parent, entry), abs); // killed between the two renames: put the old tree back
      else rmSync(join(parent, entry), { recursive: true, force: true });
    } else if (entry.startsWith(`.${base}.fabric-stage-`)) {
      rmSync(join(parent, entry), { recursive: true, force: true });
    }
  }
}

/** Hard-links (or copies) a file or directory tree from the old tree into the stage. */
function carryOver(from: string, to: string): void {
  const st = lstatSync(from);
  if (st.isDirectory()) {
    mkdirSync(to, { recursive: true });
    for (const e of readdirSync(from)) carryOver(join(from, e), join(to, e));
  } else if (st.isSymbolicLink()) {
    // Foreign links are carried as they are; fabric never writes through them.
    throw new EmitError(
      `${from} is a symbolic link inside the output tree`,
      'remove the link; fabric does not follow links in its output',
    );
  } else {
    mkdirSync(dirname(to), { recursive: true });
    try {
      linkSync(from, to);
    } catch {
      writeFileSync(to, readFileSync(from));
    }
  }
}

/**
 * A new file in the stage. Not fsynced one by one (an fsync per file cost
 * seconds on a fleet of thousands of files, issue 8): flushStage syncs the
 * whole file system once before the swap.
 */
function writeNewFile(path: string, contents: string, dirsMade: Set<string>): void {
  const dir = dirname(path);
  if (!dirsMade.has(dir)) {
    mkdirSync(dir, { recursive: true });
    dirsMade.add(dir);
  }
  writeFileSync(path, contents, { flag: 'wx', mode: 0o644 });
}

/**
 * The staged files reach the disk before the rename makes them the tree, so a
 * power loss cannot leave empty files where a good tree was (RELIABILITY D1).
 * One `sync -f` (syncfs of that file system) instead of an fsync per file;
 * where it is missing, each file is fsynced. Only when a tree is replaced: a
 * first compile has nothing to lose, and a power loss that empties some of
 * its files is repaired by the next compile, which finds them different.
 */
function flushStage(stage: string, files: string[]): void {
  try {
    execFileSync('sync', ['-f', stage], { stdio: 'ignore', timeout: 60_000 });
  } catch {
    for (const f of files) {
      const fd = openSync(f, 'r');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
  }
}

/**
 * One writer per out dir: a lock file beside it holding the writer's pid. A
 * lock whose process is gone (killed) is taken over.
 */
function acquireLock(abs: string): () => void {
  const lock = join(dirname(abs), `.${basename(abs)}.fabric-lock`);
  mkdirSync(dirname(abs), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, 'wx', 0o644);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lock, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(readFileSync(lock, 'utf8').trim());
      if (holder && holder !== process.pid && processAlive(holder)) {
        throw new EmitError(
          `another fabric (pid ${holder}) is writing ${abs}`,
          'wait for it to finish, then run again',
        );
      }
      rmSync(lock, { force: true }); // stale: its writer died
    }
  }
  throw new EmitError(`could not take the lock ${lock}`, 'remove it if no fabric is running');
}

export function emitTree(files: RenderedFile[], outDir: string, opts: EmitOptions): EmitResult {
  const abs = resolve(outDir);
  checkOutDir(abs, opts.specFile ?? opts.specPath);
  const release = acquireLock(abs);
  try {
    const result = emitLocked(files, abs, opts);
    opts.whileLocked?.(result);
    return result;
  } finally {
    release();
  }
}

function emitLocked(files: RenderedFile[], abs: string, opts: EmitOptions): EmitResult {
  recoverInterruptedSwap(abs);
  checkOutDir(abs, opts.specFile ?? opts.specPath);
  for (const f of files) assertSafeRelative(f.path);

  const all = [
    ...files.filter((f) => f.path !== MANIFEST_PATH),
    manifestFile(
      files.filter((f) => f.path !== MANIFEST_PATH),
      opts,
    ),
  ];
  // Looked at once, under the lock: a tree to compare with, carry over, flush before and swap out.
  const outExists = existsSync(abs);
  const old = outExists ? readManifest(abs) : undefined;
  const owned = new Set(old?.files ?? []);
  const next = new Set(all.map((f) => f.path));

  const written: string[] = [];
  const unchanged: string[] = [];
  for (const f of all) {
    const target = join(abs, f.path);
    let same = false;
    // Into a directory that does not exist yet every file is new: no lookup per file.
    if (outExists && existsSync(target)) {
      const st = lstatSync(target);
      if (!st.isFile())
        throw new EmitError(`${target} exists and is not a regular file`, 'remove it; fabric writes a file there');
      if (!owned.has(f.path))
        throw new EmitError(
          `${target} exists but fabric did not write it`,
          'move the file away; fabric will not overwrite files it does not own',
        );
      same = st.size === Buffer.byteLength(f.contents) && readFileSync(target, 'utf8') === f.contents;
    }
    (same ? unchanged : written).push(f.path);
  }
  const removed = [...owned].filter((p) => !next.has(p)).sort();
  if (written.length === 0 && removed.length === 0) return { written, unchanged, removed, changed: false };

  // Stage beside the out dir (same file system, so the swap is a rename).
  const parent = dirname(abs);
  mkdirSync(parent, { recursive: true });
  const stage = join(parent, `.${basename(abs)}.fabric-stage-${process.pid}`);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage);
  try {
    // Foreign files and unchanged owned files come over as hard links: not rewritten.
    const keep = new Set(unchanged);
    if (outExists) {
      const walk = (rel: string) => {
        for (const e of readdirSync(join(abs, rel))) {
          const r = rel ? `${rel}/${e}` : e;
          const st = lstatSync(join(abs, r));
          if (st.isDirectory() && !st.isSymbolicLink()) walk(r);
          else if (!owned.has(r) || keep.has(r)) carryOver(join(abs, r), join(stage, r));
        }
      };
      walk('');
    }
    const dirsMade = new Set<string>();
    for (const f of all) {
      if (keep.has(f.path)) continue;
      writeNewFile(join(stage, f.path), f.contents, dirsMade);
      opts.afterStagedFile?.(f.path);
    }
    if (outExists)
      flushStage(
        stage,
        all.filter((f) => !keep.has(f.path)).map((f) => join(stage, f.path)),
      );
    const oldDir = join(parent, `.${basename(abs)}.fabric-old-${process.pid}`);
    if (outExists) renameSync(abs, oldDir);
    renameSync(stage, abs);
    rmSync(oldDir, { recursive: true, force: true });
  } catch (e) {
    rmSync(stage, { recursive: true, force: true });
    const err = e as NodeJS.ErrnoException;
    if (e instanceof EmitError) throw e;
    const why =
      err.code === 'ENOSPC'
        ? 'the disk is full'
        : err.code === 'EACCES' || err.code === 'EPERM'
          ? 'permission denied'
          : err.code === 'EROFS'
            ? 'the file system is read-only'
            : err.message;
    throw new EmitError(
      `could not write ${abs}: ${why}; the previous tree is unchanged`,
      err.path ? `check ${relative(process.cwd(), err.path) || err.path}` : undefined,
    );
  }
  return { written, unchanged, removed, changed: true };
}

/** The files on disk that differ from a rendered tree (for compile --check). */
export function diffAgainstDisk(
  files: RenderedFile[],
  outDir: string,
  opts: Pick<EmitOptions, 'specPath' | 'specSource'>,
): { missing: string[]; different: string[]; extra: string[] } {
  const abs = resolve(outDir);
  const all = [...files, manifestFile(files, opts)];
  const missing: string[] = [];
  const different: string[] = [];
  for (const f of all) {
    const p = join(abs, f.path);
    if (!existsSync(p)) missing.push(f.path);
    else if (readFileSync(p, 'utf8') !== f.contents) different.push(f.path);
  }
  const old = existsSync(abs) ? readManifest(abs) : undefined;
  const next = new Set(all.map((f) => f.path));
  const extra = (old?.files ?? []).filter((p) => !next.has(p) && existsSync(join(abs, p)));
  return { missing, different, extra };
}
