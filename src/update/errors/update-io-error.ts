import { ArenaError } from '../../core/arena-error.js';

/** A filesystem step of an update or rollback (staging, link, rename, fsync, history) failed. */
export class UpdateIoError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_UPDATE_IO', message, options);
    this.name = 'UpdateIoError';
  }
}
