import { ArenaError } from '../../core/arena-error.js';

/** A service cannot be installed or managed here as asked (not root, no build, wrong platform, ...); the message says what to do. */
export class ServiceSetupError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_SERVICE', message, options);
    this.name = 'ServiceSetupError';
  }
}
