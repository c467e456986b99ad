import { ArenaError } from '../../core/arena-error.js';

/** control.socketGroup cannot be applied: no such group, or the daemon's user is not in it. */
export class SocketGroupError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_SOCKET_GROUP', message, options);
    this.name = 'SocketGroupError';
  }
}
