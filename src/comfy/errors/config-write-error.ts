import { ArenaError } from '../../core/arena-error.js';

/** The config file that migrate would update cannot be edited safely. */
export class ConfigWriteError extends ArenaError {
  readonly file: string;

  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super('E_CONFIG_WRITE', `cannot update the config file ${file}: ${problem}`, options);
    this.name = 'ConfigWriteError';
    this.file = file;
  }
}
