import { ArenaError } from '../../core/arena-error.js';

/** The hub has no such repository, revision, file, model or version (or hides a private one). */
export class HubNotFoundError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_HUB_NOT_FOUND', message, options);
    this.name = 'HubNotFoundError';
  }
}
