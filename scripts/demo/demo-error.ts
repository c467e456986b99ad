import { ArenaError } from '../../src/core/arena-error.js';

/** A step of the demo did not happen as it should; the message is the one line the user sees. */
export class DemoError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_DEMO', message, options);
    this.name = 'DemoError';
  }
}
