import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const fromRoot = (...parts: string[]) => [repoRoot.replace(/\/$/, ''), ...parts].join('/');
