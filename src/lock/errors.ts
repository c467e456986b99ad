/**
 * Why a lock was not taken. Its users (the daemon's instance locks, the
 * updater's lock) catch these and say it in their own words: which
 * program holds what, and what to do.
 */
import { ArenaError } from '../core/arena-error.js';
import type { LockRecord } from './lock-record.js';

/** A running process holds the lock. */
export class LockHeldError extends ArenaError {
  readonly holder: LockRecord;

  constructor(file: string, holder: LockRecord) {
    super('E_LOCKED', `${holder.holder ?? 'another process'} (pid ${holder.pid}) holds the lock ${file}`);
    this.name = 'LockHeldError';
    this.holder = holder;
  }
}

/** The lock changed hands on every try: others keep taking and releasing it. */
export class LockContendedError extends ArenaError {
  constructor(file: string) {
    super('E_LOCKED', `could not take the lock ${file}: it keeps reappearing`);
    this.name = 'LockContendedError';
  }
}
