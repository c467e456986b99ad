import { ArenaError } from '../../core/arena-error.js';

/** There is no log to show where `arenactl logs` looked; the message says where that was and why. */
export class LogUnavailableError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_NO_LOG', message, options);
    this.name = 'LogUnavailableError';
  }
}
