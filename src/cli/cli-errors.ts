import { ArenaError } from '../core/arena-error.js';

/** The command line itself is wrong (exit code 2). */
export class UsageError extends ArenaError {
  constructor(message: string) {
    super('E_USAGE', message);
    this.name = 'UsageError';
  }
}

/** arenactl's exit codes (docs/protocol.md); 4 is predict's own: a workflow needs a model the library lacks. */
export const EXIT = { ok: 0, failure: 1, usage: 2, unreachable: 3, missingModels: 4 } as const;
