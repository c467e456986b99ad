import { ArenaError } from '../../core/arena-error.js';

/** No ComfyUI install to work on: none configured, or the folder is not one. */
export class ComfyRootError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_COMFY_ROOT', message, options);
    this.name = 'ComfyRootError';
  }
}
