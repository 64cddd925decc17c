// How generated files name the spec they came from. The name is part of the output
// (file headers, README, .fabric/manifest.json, push commit messages), so it must
// not depend on how the path was typed or where fabric ran: the same spec gives the
// same bytes from any directory, by any spelling, through any symlink.
import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';

/** The name standard input goes by (`--spec -`). */
export const STDIN_SPEC = '-';

/**
 * The spec's path relative to the root of the git repository that holds it (symlinks resolved),
 * with `/` separators; the file name alone when it is in no repository or cannot be resolved.
 */
export function specName(specPath: string): string {
  if (specPath === STDIN_SPEC) return 'fabric.yaml';
  let real: string;
  try {
    real = realpathSync(specPath);
  } catch {
    return basename(specPath);
  }
  for (let dir = dirname(real); ; dir = dirname(dir)) {
    // `.git` is a directory in a clone and a file in a worktree or submodule.
    if (existsSync(join(dir, '.git'))) return relative(dir, real).split(sep).join('/');
    if (dirname(dir) === dir) return basename(real);
  }
}
