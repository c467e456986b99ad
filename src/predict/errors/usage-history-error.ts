import { ArenaError } from '../../core/arena-error.js';

/** The usage history file exists but cannot be read. */
export class UsageHistoryError extends ArenaError {
  constructor(file: string, reason: string, options?: { cause?: unknown }) {
    super(
      'E_USAGE_HISTORY',
      `cannot read the usage history ${file} (${reason}); check that the state directory belongs to the daemon's user, or move the file aside to start a new history`,
      options,
    );
    this.name = 'UsageHistoryError';
  }
}
