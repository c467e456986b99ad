/**
 * The daemon's instance locks, `state.dir/arenad.lock` and
 * `<cache.root>/.arena/lock`: one arenad per state folder and per cache.
 * The lock itself is the shared PidFileLock (src/lock/); this adds what is
 * the daemon's own: the folder check that names its setting, and messages
 * that say which arenad is in the way.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { ArenaError } from '../core/arena-error.js';
import { LockContendedError, LockHeldError } from '../lock/errors.js';
import type { LockRecord } from '../lock/lock-record.js';
import { PidFileLock } from '../lock/pid-file-lock.js';

/** An arenad's command line: `arenad`, or node running the daemon's main module (built or from source). */
const ARENAD_COMMAND = /arenad|daemon[\\/]main\.[jt]s/;

/** Another live arenad holds the lock. */
export class InstanceLockedError extends ArenaError {
  constructor(lockFile: string, holder: LockRecord) {
    const since = holder.since === undefined ? '' : `, running since ${new Date(holder.since).toISOString()}`;
    super(
      'E_LOCKED',
      `another arenad (pid ${holder.pid}${since}) already uses ${path.dirname(lockFile)}; stop it first, or give this one its own state.dir and cache.root`,
    );
    this.name = 'InstanceLockedError';
  }
}

/** Creates a folder the daemon needs; a file in its way is a clear error naming the setting, not a raw ENOTDIR. */
export async function ensureFolder(dir: string, key: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST' && code !== 'ENOTDIR' && code !== 'EACCES') throw error;
    const what = code === 'EACCES' ? 'cannot be created by this user (permission denied)' : 'is a file, or lies under one, not a folder';
    throw new ArenaError('E_FOLDER', `${key} ${dir} ${what}; move the file away, or set ${key} to a folder this user can write`, { cause: error });
  }
}

export class InstanceLock {
  readonly #lock: PidFileLock;

  private constructor(lock: PidFileLock) {
    this.#lock = lock;
  }

  /** Takes `file`, creating its folder (named by the setting `folderKey` when it cannot be). */
  static async acquire(file: string, folderKey: string): Promise<InstanceLock> {
    await ensureFolder(path.dirname(file), folderKey);
    try {
      return new InstanceLock(await PidFileLock.acquire(file, { holder: 'arenad', recognise: ARENAD_COMMAND }));
    } catch (error) {
      if (error instanceof LockHeldError) throw new InstanceLockedError(file, error.holder);
      if (error instanceof LockContendedError)
        throw new ArenaError('E_LOCKED', `could not take the lock ${file}: it keeps reappearing; is another arenad starting?`);
      throw error;
    }
  }

  /** Removes the file if it is still ours. */
  release(): Promise<void> {
    return this.#lock.release();
  }
}
