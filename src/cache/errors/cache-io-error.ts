import { ArenaError } from '../../core/arena-error.js';

/**
 * The cache disk failed in a way that is not a lack of space (EIO, EROFS,
 * EACCES, a folder in the way of the file). The partial copy was removed.
 */
export class CacheIoError extends ArenaError {
  readonly path: string;
  readonly retryable = false;

  constructor(path: string, operation: string, options: { cause: unknown }) {
    const code = (options.cause as { code?: unknown }).code;
    super(
      'E_CACHE_IO',
      `Could not ${operation} ${path} in the cache${typeof code === 'string' ? ` (${code})` : ''}; check that cache.root is writable and the disk is healthy.`,
      options,
    );
    this.name = 'CacheIoError';
    this.path = path;
  }
}
