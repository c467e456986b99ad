import { ArenaError } from '../../core/arena-error.js';

/**
 * The library file exists but this process may not read it (EACCES, EISDIR,
 * ...). Unlike a vanished NAS, waiting does not help: the user has to fix
 * the permissions or the library layout.
 */
export class SourceReadError extends ArenaError {
  readonly source: string;
  readonly retryable = false;

  constructor(source: string, options: { cause: unknown }) {
    const code = (options.cause as { code?: unknown }).code;
    super(
      'E_SOURCE_READ',
      `The library file ${source} cannot be read${typeof code === 'string' ? ` (${code})` : ''}; check its permissions and that it is a regular file.`,
      options,
    );
    this.name = 'SourceReadError';
    this.source = source;
  }
}
