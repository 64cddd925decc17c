// Where an external tool lives, found on PATH without running it, so a
// missing tool becomes a reason in report.skipped instead of a spawn error.
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

export async function findExecutable(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}
