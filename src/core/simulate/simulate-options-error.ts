import { ArenaError } from '../arena-error.js';

/** A capacity, bandwidth or concurrency a replay cannot run with. */
export class SimulateOptionsError extends ArenaError {
  constructor(message: string) {
    super('E_SIMULATE_OPTIONS', message);
    this.name = 'SimulateOptionsError';
  }
}
