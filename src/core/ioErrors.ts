/**
 * @module One place that turns a file-system or SQLite failure into a user-facing sentence:
 * which file, what went wrong (disk full, read-only, a directory where a file should be, a damaged
 * store, a disk I/O error) and what to do about it, as an AtlasError with a stable code.
 * Anything it does not recognise is left to the caller (undefined).
 */
import { AtlasError, describeError, type IoErrorCode } from './errors.js';

function codeOf(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
}

function pathOf(err: unknown): string | undefined {
  const p = typeof err === 'object' && err !== null && 'path' in err ? (err as { path: unknown }).path : undefined;
  return typeof p === 'string' && p !== '' ? p : undefined;
}

type Kind = { code: IoErrorCode; sentence: (file: string, why: string) => string };

const DISK_FULL: Kind = {
  code: 'DISK_FULL',
  sentence: (f, why) => `Cannot write ${f}: the disk is full (${why}); free some space on that disk, or move the data directory with --data-dir, and run the command again.`,
};
const READ_ONLY: Kind = {
  code: 'READ_ONLY',
  sentence: (f, why) => `Cannot write ${f}: it is on a read-only file system or is read-only itself (${why}); remount the disk read-write or choose a writable data directory with --data-dir.`,
};
const PERMISSION: Kind = {
  code: 'PERMISSION_DENIED',
  sentence: (f, why) => `Cannot access ${f}: permission denied (${why}); give your user read and write access to it or choose another data directory with --data-dir.`,
};
const IS_DIR: Kind = {
  code: 'IS_A_DIRECTORY',
  sentence: (f, why) => `${f} is a directory where Atlas expects a file (${why}); move that directory away or choose another data directory with --data-dir.`,
};
const CORRUPT: Kind = {
  code: 'STORE_CORRUPT',
  sentence: (f, why) =>
    `${f} is damaged or is not an Atlas store (${why}); restore it from a backup, or move it aside and rebuild it with \`atlas data import\` or \`atlas data sync\`.`,
};
const IO: Kind = {
  code: 'IO_ERROR',
  sentence: (f, why) => `Reading or writing ${f} failed with a disk I/O error (${why}); check the disk and its free space, then run the command again.`,
};

function classify(err: unknown): Kind | undefined {
  const code = codeOf(err);
  const msg = err instanceof Error ? err.message.toLowerCase() : '';
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
    case 'EFBIG':
    case 'SQLITE_FULL':
      return DISK_FULL;
    case 'EROFS':
      return READ_ONLY;
    case 'EACCES':
    case 'EPERM':
      return PERMISSION;
    case 'EISDIR':
      return IS_DIR;
    case 'EIO':
      return IO;
  }
  if (code.startsWith('SQLITE_READONLY') || msg.includes('attempt to write a readonly database')) return READ_ONLY;
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB' || msg.includes('file is not a database') || msg.includes('database disk image is malformed')) return CORRUPT;
  if (code.startsWith('SQLITE_IOERR') || msg.includes('disk i/o error')) return IO;
  if (msg.includes('database or disk is full')) return DISK_FULL;
  return undefined;
}

/** An error thrown by SQLite (better-sqlite3's SqliteError carries an SQLITE_* code). */
export function isSqliteError(err: unknown): boolean {
  return codeOf(err).startsWith('SQLITE_');
}

/**
 * The one-sentence AtlasError for an I/O or SQLite failure on `file` (or the path the error
 * names, or "a file in the data directory"), or undefined when `err` is not one of those.
 * An AtlasError passes through unchanged.
 */
export function describeIoError(err: unknown, file?: string): AtlasError | undefined {
  if (err instanceof AtlasError) return err;
  const kind = classify(err);
  if (!kind) return undefined;
  const why = codeOf(err) || describeError(err);
  const where = file ?? pathOf(err) ?? 'a file in the data directory';
  return new AtlasError(kind.sentence(where, why), { code: kind.code, cause: err });
}

/** Throws the translated error when there is one, else `err` itself. */
export function rethrowIo(err: unknown, file?: string): never {
  throw describeIoError(err, file) ?? err;
}
