import { ArenaError } from '../../core/arena-error.js';

/** A file operation of the migration failed; what was done before it stays done and is reported. */
export class MigrationIoError extends ArenaError {
  readonly path: string;

  constructor(path: string, operation: string, options: { cause: unknown }) {
    const code = (options.cause as { code?: unknown } | null)?.code;
    super(
      'E_MIGRATE_IO',
      `migrate could not ${operation} ${path}${typeof code === 'string' ? ` (${code})` : ''}; fix the cause (permissions, disk space) and run arenactl migrate again: it picks up where it stopped`,
      options,
    );
    this.name = 'MigrationIoError';
    this.path = path;
  }
}
