import { ArenaError } from '../core/arena-error.js';
import { CacheIoError, NoSpaceError, SourceMissingError, SourceReadError } from './errors.js';

/** The errno code of a Node fs error (`ENOENT`, ...), if it has one. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Codes that mean the library file or its storage went away rather than
 * that it is unreadable for good: a deleted file, or a NAS that stopped
 * answering in one of the ways NFS, SMB and FUSE report it.
 */
const SOURCE_GONE_CODES = new Set([
  'ENOENT',
  'ENOTDIR',
  'EIO',
  'ESTALE',
  'ENOTCONN',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'ENETDOWN',
  'ENETUNREACH',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ENXIO',
  'ENODEV',
]);

const NO_SPACE_CODES = new Set(['ENOSPC', 'EDQUOT']);

/** Turns a failure on the library side into the typed error the copy queue acts on. */
export function sourceFailure(source: string, error: unknown): ArenaError {
  if (error instanceof ArenaError) return error;
  const code = errorCode(error);
  if (code !== undefined && SOURCE_GONE_CODES.has(code)) return new SourceMissingError(source, { cause: error });
  return new SourceReadError(source, { cause: error });
}

/** Turns a failure on the cache side into NoSpaceError or CacheIoError. */
export function cacheFailure(destination: string, path: string, operation: string, error: unknown): ArenaError {
  if (error instanceof ArenaError) return error;
  const code = errorCode(error);
  if (code !== undefined && NO_SPACE_CODES.has(code)) return new NoSpaceError(destination, { cause: error });
  return new CacheIoError(path, operation, { cause: error });
}
