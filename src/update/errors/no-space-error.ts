import { ArenaError } from '../../core/arena-error.js';

/** The library filesystem has no room for the download. */
export class NoSpaceError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_NO_SPACE', message, options);
    this.name = 'NoSpaceError';
  }
}
