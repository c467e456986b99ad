import { ArenaError } from '../../core/arena-error.js';

/** A rollback found no kept version (or none matching `--to`). */
export class NoVersionError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_NO_VERSION', message, options);
    this.name = 'NoVersionError';
  }
}
