/**
 * One updater at a time per state folder: the daemon holds
 * `state.dir/updater.lock` while it runs, and `arenactl update run|rollback`
 * without a daemon takes it for the length of the command. The lock is the
 * shared PidFileLock (src/lock/): a holder that is gone leaves a stale lock,
 * taken over.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { messageOf } from '../core/arena-error.js';
import { LockContendedError, LockHeldError } from '../lock/errors.js';
import { PidFileLock } from '../lock/pid-file-lock.js';
import { UpdaterLockedError } from './errors.js';

/**
 * Takes `state.dir/updater.lock` for `holder` (`arenad`, `arenactl`). Any
 * running pid in a lock without a start time counts as its holder: arenactl
 * runs under many names (npx, a node path, a shell wrapper), so its command
 * line proves nothing.
 */
export async function acquireUpdaterLock(stateDir: string, holder: string): Promise<PidFileLock> {
  const file = path.join(stateDir, 'updater.lock');
  await fs.mkdir(stateDir, { recursive: true });
  try {
    return await PidFileLock.acquire(file, { holder });
  } catch (error) {
    if (error instanceof LockHeldError) {
      throw new UpdaterLockedError(
        `${error.holder.holder ?? 'another updater'} (pid ${error.holder.pid}) is updating models (${file}); use it (arenactl talks to a running arenad) or wait until it ends`,
      );
    }
    if (error instanceof LockContendedError) throw new UpdaterLockedError(`cannot take the update lock ${file}: another updater keeps taking it`);
    throw new UpdaterLockedError(`cannot create the update lock ${file}: ${messageOf(error)}`, { cause: error });
  }
}
