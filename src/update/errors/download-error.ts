import { ArenaError } from '../../core/arena-error.js';

/** A download broke off (or stalled) and did not recover within its retries; the partial file is kept to resume. */
export class DownloadError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_DOWNLOAD', message, options);
    this.name = 'DownloadError';
  }
}
