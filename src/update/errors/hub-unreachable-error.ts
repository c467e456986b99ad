import { ArenaError } from '../../core/arena-error.js';

/** The hub could not be reached at all (DNS, connection, TLS, timeout). */
export class HubUnreachableError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_HUB_UNREACHABLE', message, options);
    this.name = 'HubUnreachableError';
  }
}
