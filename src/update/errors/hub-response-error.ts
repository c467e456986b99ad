import { ArenaError } from '../../core/arena-error.js';

/** The hub answered with a status or a body the updater cannot use. */
export class HubResponseError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_HUB_RESPONSE', message, options);
    this.name = 'HubResponseError';
  }
}
