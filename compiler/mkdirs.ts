// `mkdir -p` that fails instead of hanging. Node 20's recursive mkdir (the sync, callback and promise
// forms alike) loops forever when mkdir answers ENOENT although the parent exists, which is what procfs
// answers: `--out /proc/x/y`, FABRIC_CACHE_DIR=/proc/x or HOME=/proc/x hung fabric (found by the CLI fuzzer,
// tests/invariant-cli.test.ts). This creates the missing directories one level at a time, so the error
// comes back as it is.
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Creates `dir` and its missing parents; throws what mkdir(2) or stat(2) says (EEXIST when `dir` is a file). */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  let at = resolve(dir);
  for (;;) {
    try {
      const st = statSync(at);
      if (!st.isDirectory() && missing.length === 0)
        throw Object.assign(new Error(`EEXIST: file already exists, mkdir '${at}'`), {
          code: 'EEXIST',
          syscall: 'mkdir',
          path: at,
        });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).syscall === 'mkdir') throw e;
      const up = dirname(at);
      if (up === at) break;
      missing.push(at);
      at = up;
    }
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (e) {
      // Another process made it in the meantime.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(d).isDirectory()) throw e;
    }
  }
}
