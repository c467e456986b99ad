import { ArenaError } from '../../core/arena-error.js';

/** A download's size or sha256 differs from the hub's: it is discarded and never installed. */
export class VerifyError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_VERIFY', message, options);
    this.name = 'VerifyError';
  }
}
