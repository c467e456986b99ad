import { ArenaError } from '../../core/arena-error.js';

/** No manifest is configured (`updates.manifest` is empty), so there is nothing to check. */
export class NoManifestError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_NO_MANIFEST', message, options);
    this.name = 'NoManifestError';
  }
}
