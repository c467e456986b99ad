import { ArenaError } from '../../core/arena-error.js';

/** A gated Hugging Face repository: its terms must be accepted on the hub by the token's owner. */
export class HubGatedError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_HUB_GATED', message, options);
    this.name = 'HubGatedError';
  }
}
