import { backoffDelay, type BackoffPolicy } from '../core/backoff.js';
import { NoSpaceError, SourceChangedError, SourceMissingError, SourceReadError, VerifyError } from './errors.js';

/** A copy is tried at most this many times; then its job is dropped. */
export const MAX_COPY_ATTEMPTS = 5;

/**
 * The waits before a failed copy is tried again, by what failed. Each grows
 * with the tries, and a random share comes off it, so that copies that
 * failed together (a NAS that blinked) do not all come back at once.
 */
export const COPY_RETRY = {
  /** The library file could not be read, its folder still there: up to 5 s, 10 s, then 20 s. */
  unreadable: { firstMs: 5000, maxMs: 20_000 },
  /** The file changed while it was read, or the copy did not verify: up to 2 s, 4 s, then 8 s. */
  changed: { firstMs: 2000, maxMs: 8000 },
  /** The cache filesystem is full: up to a minute, cut short once the space is free again. */
  noSpace: { firstMs: 60_000, maxMs: 60_000 },
} as const satisfies Record<string, BackoffPolicy>;

export interface FailedCopy {
  readonly error: unknown;
  /** Tries so far, the failed one included. */
  readonly attempts: number;
  /** The model's library file now; undefined when the library no longer has it. */
  readonly source: { readonly available: boolean } | undefined;
}

/**
 * When a failed copy is tried again, in ms from now: 0 while its library
 * folder is unreachable (the copy waits for the folder, not for a clock);
 * undefined when it is not tried again (a failure waiting cannot mend, a
 * model gone from the library, the last of its tries).
 */
export function copyRetryDelay(failure: FailedCopy, random: () => number = Math.random): number | undefined {
  const { error, attempts, source } = failure;
  if (attempts >= MAX_COPY_ATTEMPTS) return undefined;
  if (error instanceof NoSpaceError) return backoffDelay(attempts, COPY_RETRY.noSpace, random);
  if (error instanceof SourceMissingError || error instanceof SourceReadError) {
    if (source === undefined) return undefined;
    return source.available ? backoffDelay(attempts, COPY_RETRY.unreadable, random) : 0;
  }
  if (error instanceof SourceChangedError || error instanceof VerifyError) return backoffDelay(attempts, COPY_RETRY.changed, random);
  return undefined;
}
