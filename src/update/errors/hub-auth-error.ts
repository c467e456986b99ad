import { ArenaError } from '../../core/arena-error.js';

/** The hub refused the request for want of a (valid) token. */
export class HubAuthError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_HUB_AUTH', message, options);
    this.name = 'HubAuthError';
  }
}
