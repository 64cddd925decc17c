// One writer per out dir: `.<out>.fabric-lock` beside it holds the writer's
// pid. The lock appears whole or not at all (its content is written to a temp
// file first, then hard-linked into place, which fails if a lock exists), so
// nobody reads an empty lock and takes it for a dead one. A lock whose process
// is gone is broken under a second lock (`.fabric-lock.break`), so two runs
// that find the same dead lock cannot both remove it and both go on. A live
// lock is waited for, up to FABRIC_LOCK_TIMEOUT seconds (default 120).
import { closeSync, linkSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { EmitError, fsHint, fsReason } from './emit-errors.ts';
import { makeDirs } from './mkdirs.ts';
import { processAlive } from './pid.ts';

export const lockPathFor = (abs: string) => join(dirname(abs), `.${basename(abs)}.fabric-lock`);

const DEFAULT_WAIT_MS = 120_000;
const POLL_MS = 50;
/** A break lock older than this belongs to a run killed in the microseconds it holds one. */
const BREAK_STALE_MS = 10_000;

function waitMs(): number {
  const seconds = Number(process.env.FABRIC_LOCK_TIMEOUT);
  return Number.isFinite(seconds) && seconds >= 0 && process.env.FABRIC_LOCK_TIMEOUT !== ''
    ? seconds * 1000
    : DEFAULT_WAIT_MS;
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Creates `path` holding our pid, atomically; false when it exists. */
function createWhole(path: string): boolean {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    const fd = openSync(temp, 'w', 0o644);
    try {
      writeSync(fd, String(process.pid));
    } finally {
      closeSync(fd);
    }
    linkSync(temp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    rmSync(temp, { force: true });
  }
}

/** The pid in a lock file; 0 when it is empty or damaged, undefined when it is gone. */
function holderOf(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : 0;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Removes the lock if it still holds `deadPid`, holding the break lock meanwhile. */
function breakStale(lock: string, deadPid: number): void {
  const breaker = `${lock}.break`;
  if (!createWhole(breaker)) {
    const owner = holderOf(breaker);
    let age = 0;
    try {
      age = Date.now() - statSync(breaker).mtimeMs;
    } catch {
      return; // released meanwhile: try again from the top
    }
    if (owner === undefined || (owner > 0 && processAlive(owner) && age < BREAK_STALE_MS)) return;
    rmSync(breaker, { force: true });
    return;
  }
  try {
    if (holderOf(lock) === deadPid) rmSync(lock, { force: true });
  } finally {
    rmSync(breaker, { force: true });
  }
}

export interface LockOptions {
  /** Told once when the lock is held by a live process and fabric starts to wait. */
  onWait?: (holder: number, waitMs: number) => void;
}

/** Takes the lock of the out dir `abs`; returns its release. Waits for a live holder up to the timeout. */
export function acquireLock(abs: string, options: LockOptions = {}): () => void {
  const lock = lockPathFor(abs);
  const limit = waitMs();
  const deadline = Date.now() + limit;
  let told = false;
  try {
    // Not mkdirSync's recursive form: it loops forever on procfs (`--out /proc/x/y`; compiler/mkdirs.ts).
    makeDirs(dirname(abs));
    for (;;) {
      if (createWhole(lock)) return () => rmSync(lock, { force: true });
      const holder = holderOf(lock);
      if (holder === undefined) continue; // released between our two looks
      if (holder === process.pid || holder === 0 || !processAlive(holder)) {
        breakStale(lock, holder);
        continue;
      }
      if (Date.now() >= deadline)
        throw new EmitError(
          `another fabric (pid ${holder}) is writing ${abs}; waited ${Math.round(limit / 1000)} s for it`,
          `wait for it to finish, or allow longer with FABRIC_LOCK_TIMEOUT=<seconds>; if no fabric runs, delete ${lock}`,
        );
      if (!told) options.onWait?.(holder, limit);
      told = true;
      sleep(POLL_MS);
    }
  } catch (e) {
    if (e instanceof EmitError) throw e;
    const why = fsReason(e);
    if (!why) throw e;
    throw new EmitError(`cannot lock ${abs} (lock file ${lock}): ${why}`, fsHint(e, dirname(abs)));
  }
}
