import { ArenaError } from '../../core/arena-error.js';

/**
 * A download stopped on purpose: its update window closed or the daemon is
 * stopping. The partial file stays in staging and resumes next time.
 */
export class PausedError extends ArenaError {
  readonly bytesDone: number;

  constructor(message: string, bytesDone: number, options?: { cause?: unknown }) {
    super('E_PAUSED', message, options);
    this.name = 'PausedError';
    this.bytesDone = bytesDone;
  }
}
