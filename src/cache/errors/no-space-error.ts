import { ArenaError } from '../../core/arena-error.js';

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
