/**
 * One updater at a time per state folder: the daemon holds
 * `state.dir/updater.lock` while it runs, and `arenactl update run|rollback`
 * without a daemon takes it for the length of the command. The file names
 * its holder's pid; a holder that is gone leaves a stale lock, taken over.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { messageOf } from '../core/arena-error.js';
import { UpdaterLockedError } from './errors.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class UpdaterLock {
  readonly file: string;

  private constructor(file: string) {
    this.file = file;
  }

  static async acquire(stateDir: string, holder: string): Promise<UpdaterLock> {
    const file = path.join(stateDir, 'updater.lock');
    await fs.mkdir(stateDir, { recursive: true });
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        await fs.writeFile(file, `${JSON.stringify({ pid: process.pid, holder })}\n`, { flag: 'wx' });
        return new UpdaterLock(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new UpdaterLockedError(`cannot create the update lock ${file}: ${messageOf(error)}`, { cause: error });
        }
      }
      const owner = await fs
        .readFile(file, 'utf8')
        .then((text) => JSON.parse(text) as { pid?: unknown; holder?: unknown })
        .catch(() => undefined);
      const pid = typeof owner?.pid === 'number' ? owner.pid : undefined;
      if (pid !== undefined && pid !== process.pid && alive(pid)) {
        throw new UpdaterLockedError(
          `${typeof owner?.holder === 'string' ? owner.holder : 'another updater'} (pid ${pid}) is updating models (${file}); use it (arenactl talks to a running arenad) or wait until it ends`,
        );
      }
      // Its holder is gone (or it is unreadable): a crash left it behind.
      await fs.rm(file, { force: true });
    }
    throw new UpdaterLockedError(`cannot take the update lock ${file}: another updater keeps taking it`);
  }

  async release(): Promise<void> {
    await fs.rm(this.file, { force: true });
  }
}
