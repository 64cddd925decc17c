// The digests fabric computes (node:crypto). Kept apart from the compile stamp
// (stamp.ts), which the no-op's replay (cli/replay.ts) loads before the bundle:
// loading node:crypto alone costs that path ~6 ms.
import { createHash, hash } from 'node:crypto';

export const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** 128 bits of SHA-256: tells two renders of one file apart, no adversary involved (the identity must match first). */
export const contentDigest = (contents: string) => hash('sha256', contents, 'base64').slice(0, 22);
