// The update journal: how an in-place update of the out dir survives a kill.
//
// emit writes every changed file into `<out>/.fabric/stage-<pid>/<n>` first
// (a first tree: laid out as the tree, each top-level entry renamed whole;
// nothing in the tree has changed yet), then commits by writing
// `<out>/.fabric/journal.json` (temp file + rename: it exists whole or not at
// all). The journal lists the renames from the stage into the tree, the files
// to remove, and the new manifest, which is renamed last. applyJournal carries
// it out and deletes the journal; run again on the same journal it finishes
// what is left, so a kill at any point is repaired by the next run:
//   - no journal: the stage of a dead run is deleted; the tree was never touched (old tree);
//   - a journal: it is rolled forward (new tree).
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { EmitError } from './emit-errors.ts';
import { MANIFEST_PATH } from './emit-types.ts';
import { processAlive } from './pid.ts';

/** fabric's own directory inside the tree (it holds the manifest). */
export const FABRIC_DIR = dirname(MANIFEST_PATH);
export const JOURNAL_PATH = `${FABRIC_DIR}/journal.json`;
export const stageName = (pid: number) => `stage-${pid}`;

export interface Journal {
  version: 1;
  /** The run that wrote it. */
  pid: number;
  /** The stage directory, relative to `<out>/.fabric`. */
  stage: string;
  /** [name in the stage, path in the tree]: every changed or new file except the manifest. */
  renames: [string, string][];
  /** Owned files the new tree no longer has. */
  remove: string[];
  /** The new manifest's name in the stage, renamed into place after everything else; '' when it is unchanged. */
  manifest: string;
}

/** Flushes a file or a directory (its entries) to the disk. */
export function fsyncPath(path: string, flags = 'r'): void {
  const fd = openSync(path, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The commit point: the journal exists whole and on disk, or not at all. */
export function writeJournal(abs: string, journal: Journal): void {
  const file = join(abs, JOURNAL_PATH);
  const temp = `${file}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w', 0o644);
  try {
    writeSync(fd, JSON.stringify(journal));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
  fsyncPath(dirname(file));
}

function readJournal(abs: string): Journal | undefined {
  const file = join(abs, JOURNAL_PATH);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const j = JSON.parse(text) as Journal;
    if (j.version !== 1 || !Array.isArray(j.renames) || !Array.isArray(j.remove) || typeof j.manifest !== 'string')
      throw new Error('not a fabric journal');
    return j;
  } catch (e) {
    throw new EmitError(
      `${file} is damaged (${(e as Error).message}); an update of ${abs} was interrupted and cannot be finished`,
      'delete the output directory and compile again',
    );
  }
}

/** Removes `dir` and its parents up to (not including) `root` while they are empty. */
function removeEmptyDirs(root: string, dir: string): void {
  while (dir !== root && dir.startsWith(root + '/')) {
    try {
      rmdirSync(dir);
    } catch {
      return; // not empty (a file of the new tree, or the user's), or gone
    }
    dir = dirname(dir);
  }
}

/** Moves a staged file into the tree unless that was done before a kill. */
function moveIn(stage: string, name: string, target: string): void {
  try {
    renameSync(join(stage, name), target);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !existsSync(join(stage, name))) {
      if (existsSync(target)) return; // moved by the run that was killed
      mkdirSync(dirname(target), { recursive: true });
      renameSync(join(stage, name), target);
      return;
    }
    throw e;
  }
}

/** Carries out a committed journal (again, after a kill: each step is skipped when already done). */
export function applyJournal(
  abs: string,
  journal: Journal,
  hooks: { afterRename?: (path: string) => void } = {},
): void {
  const fabricDir = join(abs, FABRIC_DIR);
  const stage = join(fabricDir, basename(journal.stage));
  const dirsMade = new Set<string>();
  for (const [name, path] of journal.renames) {
    const target = join(abs, path);
    const dir = dirname(target);
    if (!dirsMade.has(dir)) {
      mkdirSync(dir, { recursive: true });
      dirsMade.add(dir);
    }
    moveIn(stage, name, target);
    hooks.afterRename?.(path);
  }
  for (const path of journal.remove) {
    rmSync(join(abs, path), { force: true });
    removeEmptyDirs(abs, dirname(join(abs, path)));
  }
  if (journal.manifest) moveIn(stage, journal.manifest, join(abs, MANIFEST_PATH));
  rmSync(stage, { recursive: true, force: true });
  rmSync(join(abs, JOURNAL_PATH), { force: true });
}

/** Whether the out dir holds anything a killed run left (a journal or a stage); one readdir. */
export function needsRecovery(abs: string): boolean {
  try {
    return readdirSync(join(abs, FABRIC_DIR)).some(
      (e) => e === 'journal.json' || e.startsWith('stage-') || e.endsWith('.tmp'),
    );
  } catch {
    return false;
  }
}

/**
 * Repairs what a killed run left in the out dir; call holding the lock. A
 * committed journal is rolled forward; the stage and temp files of dead runs
 * are deleted (a live run's never are).
 */
export function recoverOutDir(abs: string): void {
  const fabricDir = join(abs, FABRIC_DIR);
  let entries: string[];
  try {
    entries = readdirSync(fabricDir);
  } catch {
    return;
  }
  // We hold the lock: the run that wrote a journal has finished or died, whatever its pid does now.
  const journal = readJournal(abs);
  if (journal) {
    applyJournal(abs, journal);
  }
  for (const e of entries) {
    const pid = Number(/^stage-(\d+)$/.exec(e)?.[1] ?? /\.(\d+)\.tmp$/.exec(e)?.[1] ?? NaN);
    if (!Number.isInteger(pid)) continue;
    if (pid === process.pid || !processAlive(pid)) rmSync(join(fabricDir, e), { recursive: true, force: true });
  }
  // A first compile killed before its journal leaves only an empty .fabric/: the directory is as new.
  if (!existsSync(join(abs, MANIFEST_PATH))) {
    try {
      rmdirSync(fabricDir);
    } catch {
      /* not empty: checkOutDir decides */
    }
  }
}
