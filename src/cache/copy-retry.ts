import { NoSpaceError, SourceChangedError, SourceMissingError, SourceReadError, VerifyError } from './errors.js';

/** A copy is tried at most this many times; then its job is dropped. */
export const MAX_COPY_ATTEMPTS = 5;

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
export function copyRetryDelay(failure: FailedCopy): number | undefined {
  const { error, attempts, source } = failure;
  if (attempts >= MAX_COPY_ATTEMPTS) return undefined;
  if (error instanceof NoSpaceError) return 60_000;
  if (error instanceof SourceMissingError || error instanceof SourceReadError) {
    if (source === undefined) return undefined;
    return source.available ? 5000 * attempts : 0;
  }
  if (error instanceof SourceChangedError || error instanceof VerifyError) return 2000 * attempts;
  return undefined;
}
