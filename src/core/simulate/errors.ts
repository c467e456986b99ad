/** The simulator's errors: a trace it cannot read, options it cannot run with. */
import { ArenaError } from '../arena-error.js';

/** A capacity, bandwidth or concurrency a replay cannot run with. */
export class SimulateOptionsError extends ArenaError {
  constructor(message: string) {
    super('E_SIMULATE_OPTIONS', message);
    this.name = 'SimulateOptionsError';
  }
}

/** A trace that cannot be replayed: the message names the line and what is wrong with it. */
export class TraceError extends ArenaError {
  readonly line: number | undefined;

  constructor(message: string, options: { line?: number; cause?: unknown } = {}) {
    super('E_TRACE', message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TraceError';
    this.line = options.line;
  }
}
