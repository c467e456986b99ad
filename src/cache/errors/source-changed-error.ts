import { ArenaError } from '../../core/arena-error.js';

/**
 * The library file is not the one the copy was planned for, or it changed
 * while it was being read (a NAS sync, an update, a user replacing it). The
 * partial copy is discarded; the copy can be retried once the catalog has
 * seen the new file.
 */
export class SourceChangedError extends ArenaError {
  readonly source: string;
  readonly retryable = true;

  constructor(source: string, detail: string, options?: { cause?: unknown }) {
    super(
      'E_SOURCE_CHANGED',
      `The library file ${source} changed (${detail}); the copy was discarded and will be retried after the next library scan.`,
      options,
    );
    this.name = 'SourceChangedError';
    this.source = source;
  }
}
