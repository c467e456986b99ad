import { ArenaError } from '../../core/arena-error.js';

/** A target named on the command line is not an entry of the manifest. */
export class NotTrackedError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_NOT_FOUND', message, options);
    this.name = 'NotTrackedError';
  }
}
