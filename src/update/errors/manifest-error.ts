import { ArenaError } from '../../core/arena-error.js';

/** The manifest file as a whole cannot be used: unreadable, not YAML, or without a `models` list. */
export class ManifestError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_MANIFEST', message, options);
    this.name = 'ManifestError';
  }
}
