import { ArenaError } from '../../core/arena-error.js';

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
