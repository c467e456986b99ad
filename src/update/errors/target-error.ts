import { ArenaError } from '../../core/arena-error.js';

/** The target cannot be placed: no library folder of its category, or the path is not a regular file. */
export class TargetError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_TARGET', message, options);
    this.name = 'TargetError';
  }
}
