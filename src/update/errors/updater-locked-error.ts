import { ArenaError } from '../../core/arena-error.js';

/** Another updater (the daemon, or another arenactl) holds the update lock. */
export class UpdaterLockedError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_LOCKED', message, options);
    this.name = 'UpdaterLockedError';
  }
}
