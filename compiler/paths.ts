import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The fabric package's root (templates/, schema/), from source or from the bundle in dist/. */
export function packageRoot(): string {
  if (!root) {
    let dir = dirname(fileURLToPath(import.meta.url));
    while (!existsSync(`${dir}/package.json`) || !existsSync(`${dir}/templates`)) {
      const up = dirname(dir);
      if (up === dir) throw new Error('cannot find the fabric package root (templates/ missing)');
      dir = up;
    }
    root = dir;
  }
  return root;
}
