import { ArenaError } from '../../core/arena-error.js';

/** The Arena nodes cannot be installed into custom_nodes/. */
export class NodeInstallError extends ArenaError {
  readonly target: string;

  constructor(target: string, message: string, options?: { cause?: unknown }) {
    super('E_NODES_INSTALL', message, options);
    this.name = 'NodeInstallError';
    this.target = target;
  }
}
