import { ArenaError } from '../../core/arena-error.js';

/** The hub kept answering 429 after the backoff, or asked for a longer wait than a check may take. */
export class RateLimitedError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_RATE_LIMITED', message, options);
    this.name = 'RateLimitedError';
  }
}
