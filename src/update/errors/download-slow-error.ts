import { ArenaError } from '../../core/arena-error.js';

/**
 * A download stalled or stayed below updates.minRate on every try; the entry
 * fails so that the others can run, and the partial file is kept to resume.
 */
export class DownloadSlowError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_DOWNLOAD_SLOW', message, options);
    this.name = 'DownloadSlowError';
  }
}
