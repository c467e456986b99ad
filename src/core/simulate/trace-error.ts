import { ArenaError } from '../arena-error.js';

/** A trace that cannot be replayed: the message names the line and what is wrong with it. */
export class TraceError extends ArenaError {
  readonly line: number | undefined;

  constructor(message: string, options: { line?: number; cause?: unknown } = {}) {
    super('E_TRACE', message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TraceError';
    this.line = options.line;
  }
}
