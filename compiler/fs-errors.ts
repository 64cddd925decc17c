// File system errors in words a user can act on, shared by emit (the out
// dir) and push (the cache clone), so that no EROFS, EACCES, ENOSPC or ENOENT
// reaches the CLI as an unclassified exception.

/** A file system error code, in words; `undefined` for errors that are not the file system's. */
export function fsReason(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return 'the disk is full';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOENT':
      return 'a directory on the way does not exist or cannot hold files';
    case 'ENOTDIR':
      return 'a path on the way is not a directory';
    case 'EXDEV':
      return 'a directory inside it is another file system (a mount point)';
    case 'EBUSY':
      return 'the directory is busy (a mount point?)';
    case 'EIO':
      return 'an I/O error from the disk';
    case 'EFBIG':
      return 'a file would pass the file size limit of this process (ulimit -f)';
    case 'EMLINK':
    case 'ENAMETOOLONG':
    case 'ELOOP':
    case 'EISDIR':
    case 'ENOTEMPTY':
    case 'EEXIST':
      return err.message;
    default:
      return typeof err?.code === 'string' && err.code.startsWith('E') ? err.message : undefined;
  }
}

/** What to do about a file system error, naming a path the user can see (never one inside fabric's stage). */
export function fsHint(e: unknown, visible: string): string | undefined {
  switch ((e as NodeJS.ErrnoException)?.code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return `free space on the file system that holds ${visible}, then run again`;
    case 'EACCES':
    case 'EPERM':
      return `make ${visible} writable for this user, or pass --out with a directory you can write`;
    case 'EROFS':
      return `${visible} is on a read-only file system; pass --out with a directory on a writable one`;
    case 'ENOENT':
    case 'ENOTDIR':
      return `pass --out with a directory on a normal file system (not under /proc or /sys)`;
    case 'EXDEV':
      return `fabric renames files inside ${visible}; unmount what is mounted inside it`;
    case 'EFBIG':
      return 'raise the limit (ulimit -f unlimited), then run again';
    default:
      return undefined;
  }
}
