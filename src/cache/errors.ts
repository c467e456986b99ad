/**
 * The errors of the SSD cache. Each names the file and says what to do; the
 * copy queue tells them apart to decide whether a failed copy is tried
 * again (`retryable` says whether waiting can help).
 */
import { ArenaError } from '../core/arena-error.js';

/** ` (EIO)`: the errno code of the fs error behind a failure, when it has one. */
function codeSuffix(cause: unknown): string {
  const code = (cause as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? ` (${code})` : '';
}

/**
 * A category or model name that would leave the cache root: `..`, an
 * absolute name, a reserved folder, or a symlink on the way that points
 * outside. Raised before any file is touched.
 */
export class PathError extends ArenaError {
  /** The category/name as it was asked for. */
  readonly requested: string;

  constructor(requested: string, reason: string, options?: { cause?: unknown }) {
    super('E_PATH', `Refused the cache path "${requested}": ${reason}. Use a name relative to its category folder, without "..".`, options);
    this.name = 'PathError';
    this.requested = requested;
  }
}

/**
 * A library file whose real path, after every symlink, lies outside its
 * library folders: a link on a shared NAS to `/etc/shadow`, or to another
 * user's files. It is never copied, so the cache cannot hand out what the
 * library did not hold.
 */
export class SourceOutsideError extends ArenaError {
  constructor(source: string, real: string, bounds: readonly string[]) {
    super(
      'E_PATH',
      `${source} leads outside its library folders (${bounds.join(', ')}) to ${real}; it is not copied. Replace the link with the file, or link to a file inside the library`,
    );
    this.name = 'SourceOutsideError';
  }
}

/**
 * The library file vanished or its storage stopped answering (ENOENT, EIO,
 * a stale NFS handle): typically a NAS that went offline. Retry once the
 * library root is reachable again.
 */
export class SourceMissingError extends ArenaError {
  readonly source: string;
  readonly retryable = true;

  constructor(source: string, options?: { cause?: unknown }) {
    super(
      'E_SOURCE_MISSING',
      `The library file ${source} could not be read${codeSuffix(options?.cause)}; check that its library root (NAS) is mounted and reachable.`,
      options,
    );
    this.name = 'SourceMissingError';
    this.source = source;
  }
}

/**
 * The library file exists but this process may not read it (EACCES, EISDIR,
 * ...). Unlike a vanished NAS, waiting does not help: the user has to fix
 * the permissions or the library layout.
 */
export class SourceReadError extends ArenaError {
  readonly source: string;
  readonly retryable = false;

  constructor(source: string, options: { cause: unknown }) {
    super(
      'E_SOURCE_READ',
      `The library file ${source} cannot be read${codeSuffix(options.cause)}; check its permissions and that it is a regular file.`,
      options,
    );
    this.name = 'SourceReadError';
    this.source = source;
  }
}

/**
 * The library file is not the one the copy was planned for, or it changed
 * while it was being read (a NAS sync, an update, a user replacing it). The
 * partial copy is discarded; the copy can be retried once the catalog has
 * seen the new file.
 */
export class SourceChangedError extends ArenaError {
  readonly source: string;
  readonly retryable = true;

  constructor(source: string, detail: string, options?: { cause?: unknown }) {
    super(
      'E_SOURCE_CHANGED',
      `The library file ${source} changed (${detail}); the copy was discarded and will be retried after the next library scan.`,
      options,
    );
    this.name = 'SourceChangedError';
    this.source = source;
  }
}

/**
 * The cache filesystem is full or over its quota (ENOSPC, EDQUOT). The
 * partial copy was removed; free space (trim the cache) before retrying.
 */
export class NoSpaceError extends ArenaError {
  /** The cache file the copy was meant to become. */
  readonly destination: string;
  readonly retryable = true;

  constructor(destination: string, options?: { cause?: unknown }) {
    super(
      'E_NO_SPACE',
      `The cache filesystem ran out of space while copying to ${destination}; the partial copy was removed. Trim the cache or lower cache.maxBytes.`,
      options,
    );
    this.name = 'NoSpaceError';
    this.destination = destination;
  }
}

/**
 * The cache disk failed in a way that is not a lack of space (EIO, EROFS,
 * EACCES, a folder in the way of the file). The partial copy was removed.
 */
export class CacheIoError extends ArenaError {
  readonly path: string;
  readonly retryable = false;

  constructor(path: string, operation: string, options: { cause: unknown }) {
    super(
      'E_CACHE_IO',
      `Could not ${operation} ${path} in the cache${codeSuffix(options.cause)}; check that cache.root is writable and the disk is healthy.`,
      options,
    );
    this.name = 'CacheIoError';
    this.path = path;
  }
}

/**
 * The staged copy is not what was read or what was expected: its size or its
 * sha256 differs. The copy was discarded and never became visible.
 */
export class VerifyError extends ArenaError {
  readonly destination: string;
  readonly expected: string;
  readonly actual: string;
  readonly retryable = true;

  constructor(destination: string, what: 'size' | 'sha256', expected: string, actual: string) {
    super(
      'E_VERIFY',
      `The copy for ${destination} failed verification: ${what} is ${actual}, expected ${expected}. It was discarded; if this repeats, check the library file and the cache disk.`,
    );
    this.name = 'VerifyError';
    this.destination = destination;
    this.expected = expected;
    this.actual = actual;
  }
}

/** The copy was cancelled (shutdown, or the entry was invalidated); its staging file is gone. */
export class CopyAbortedError extends ArenaError {
  readonly destination: string;
  readonly retryable = false;

  constructor(destination: string, options?: { cause?: unknown }) {
    super('E_ABORTED', `The copy to ${destination} was cancelled; nothing was left in the cache.`, options);
    this.name = 'CopyAbortedError';
    this.destination = destination;
  }
}
