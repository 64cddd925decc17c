// One `fabric apply` per fleet at a time: two at once would start every
// profile twice and race on the same ArgoCD. The lock is a file holding the
// owner's pid under fabric's cache directory; one whose owner is gone is
// taken over (a killed run leaves it behind).
import { mkdirSync, openSync, readFileSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { processAlive } from '../pid.ts';
import { cacheRoot } from '../paths.ts';

export class LockHeld extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

export function lockPath(fleet: string, env: NodeJS.ProcessEnv): string {
  return join(cacheRoot(env.FABRIC_CACHE_DIR), 'locks', `apply-${fleet}.lock`);
}

/** Takes the fleet's run lock; returns its release. */
export function takeRunLock(fleet: string, env: NodeJS.ProcessEnv): () => void {
  const path = lockPath(fleet, env);
  mkdirSync(join(path, '..'), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          unlinkSync(path);
        } catch {
          // Already gone.
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number(readFileSync(path, 'utf8').trim());
      if (owner > 0 && processAlive(owner) && owner !== process.pid)
        throw new LockHeld(
          `another fabric apply (pid ${owner}) is running for the fleet ${fleet}`,
          `wait for it to finish (fabric status shows where it is); if no fabric runs, delete ${path}`,
        );
      unlinkSync(path);
    }
  }
  throw new LockHeld(`could not take the run lock ${path}`, `if no fabric runs, delete ${path}`);
}
