// Reading the spec file: only a regular file, and at most the size limit plus
// one byte, so that `--spec /dev/zero` or a FIFO is refused at once instead of
// read forever or waited on.
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { fileDiagnostic, type Diagnostic } from '../diagnostics.ts';

const HINT = 'pass the path of your fabric.yaml with --spec';

const kind = (s: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isSocket(): boolean }) =>
  s.isDirectory()
    ? 'is a directory'
    : s.isFIFO()
      ? 'is a FIFO (named pipe), not a regular file'
      : s.isCharacterDevice()
        ? 'is a device, not a regular file'
        : s.isSocket()
          ? 'is a socket, not a regular file'
          : 'is not a regular file';

function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOENT') return 'no such file';
  if (err.code === 'EISDIR') return 'is a directory';
  if (err.code === 'EACCES' || err.code === 'EPERM') return 'permission denied';
  if (err.code === 'ELOOP') return 'too many symbolic links';
  if (err.code === 'ENOTDIR') return 'a part of the path is not a directory';
  return err.message;
}

/** At most `limit + 1` bytes of the file: one byte more than allowed says it is too large. */
function readAtMost(fd: number, limit: number): Buffer {
  const buffer = Buffer.alloc(limit + 1);
  let filled = 0;
  while (filled < buffer.length) {
    const n = readSync(fd, buffer, filled, buffer.length - filled, null);
    if (n === 0) break;
    filled += n;
  }
  return buffer.subarray(0, filled);
}

export type ReadResult =
  { source: string; diagnostics?: undefined } | { source?: undefined; diagnostics: Diagnostic[] };

export function readSpecFile(file: string, limit: number): ReadResult {
  const refuse = (why: string, hint = HINT): ReadResult => ({
    diagnostics: [fileDiagnostic('FAB001', file, `cannot read spec: ${why}`, hint)],
  });
  let fd: number | undefined;
  try {
    // stat first: opening a FIFO blocks until someone writes to it.
    const before = statSync(file);
    if (!before.isFile()) return refuse(kind(before));
    // O_NONBLOCK: a FIFO swapped in after the stat is not waited on either.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    const stat = fstatSync(fd);
    if (!stat.isFile()) return refuse(kind(stat));
    const bytes = readAtMost(fd, limit);
    if (bytes.length > limit)
      return {
        diagnostics: [
          fileDiagnostic(
            'FAB002',
            file,
            `file is ${Math.max(stat.size, bytes.length)} bytes; fabric.yaml may be at most ${limit} bytes`,
            'check the path: a fleet spec this large is almost certainly not a fabric.yaml',
          ),
        ],
      };
    return { source: bytes.toString('utf8') };
  } catch (e) {
    return refuse(reason(e));
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
