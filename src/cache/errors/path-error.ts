import { ArenaError } from '../../core/arena-error.js';

/**
 * A category or model name that would leave the cache root: `..`, an
 * absolute name, a reserved folder, or a symlink on the way that points
 * outside. Raised before any file is touched.
 */
export class PathError extends ArenaError {
  /** The category/name as it was asked for. */
  readonly requested: string;

  constructor(requested: string, reason: string, options?: { cause?: unknown }) {
    super(
      'E_PATH',
      `Refused the cache path "${requested}": ${reason}. Use a name relative to its category folder, without "..".`,
      options,
    );
    this.name = 'PathError';
    this.requested = requested;
  }
}
