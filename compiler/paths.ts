import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
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

/** fabric's cache (push clones, compile stamps): FABRIC_CACHE_DIR, else $XDG_CACHE_HOME/fabric, else ~/.cache/fabric. */
export function cacheRoot(explicit?: string): string {
  if (explicit) return resolve(explicit);
  if (process.env.FABRIC_CACHE_DIR) return resolve(process.env.FABRIC_CACHE_DIR);
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache'), 'fabric');
}

/**
 * The name of a cache file from its key (a path, a command line): 64 bits of
 * FNV-1a, no node:crypto (see digest.ts). Not a digest: each file holds its
 * key and is checked against it, so a collision only costs a recompile.
 */
export function cacheFileName(key: string): string {
  let low = 0x811c9dc5;
  let high = 0xcbf29ce4;
  for (let i = 0; i < key.length; i++) {
    low = Math.imul(low ^ key.charCodeAt(i), 0x01000193);
    high = Math.imul(high ^ (low >>> 16), 0x01000193);
  }
  return `${(high >>> 0).toString(16).padStart(8, '0')}${(low >>> 0).toString(16).padStart(8, '0')}.json`;
}
