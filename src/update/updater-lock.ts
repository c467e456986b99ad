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
import type { Logger } from '../log/logger.js';
import { UpdaterLockedError } from './errors.js';

/**
 * Takes `state.dir/updater.lock` for `holder` (`arenad`, `arenactl`). Any
 * running pid in a lock without a start time counts as its holder: arenactl
 * runs under many names (npx, a node path, a shell wrapper), so its command
 * line proves nothing.
 */
async function acquireUpdaterLock(stateDir: string, holder: string): Promise<PidFileLock> {
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

/** How often a daemon whose lock another updater holds tries again. */
const LOCK_RETRY_MS = 30_000;

/**
 * How an updater holds the lock: `require` fails when another updater holds
 * it (a one-shot command); `wait` starts anyway and takes it once free (the
 * daemon, which must not refuse to start while an arenactl finishes),
 * refusing runs and rollbacks until then; `none` is for a service that
 * changes nothing.
 */
export type LockMode = 'require' | 'wait' | 'none';

export class UpdaterLock {
  readonly #stateDir: string;
  readonly #holder: string;
  readonly #logger: Logger;
  readonly #onChange: () => void;
  #lock: PidFileLock | undefined;
  /** Why the lock is not held yet, while a waiting updater retries. */
  #wait: { readonly error: UpdaterLockedError; readonly timer: NodeJS.Timeout } | undefined;
  /** A try is under way: another would find this process's own lock and wait for itself. */
  #trying = false;

  /** `onChange` hears when the updater starts or stops waiting for the lock (its problems change). */
  constructor(stateDir: string, holder: string, logger: Logger, onChange: () => void) {
    this.#stateDir = stateDir;
    this.#holder = holder;
    this.#logger = logger;
    this.#onChange = onChange;
  }

  async take(mode: LockMode): Promise<void> {
    if (mode === 'require') this.#lock = await acquireUpdaterLock(this.#stateDir, this.#holder);
    if (mode === 'wait') await this.#takeOrWait();
  }

  /** Throws, while another updater holds the lock, why runs and rollbacks must wait. */
  throwIfWaiting(): void {
    if (this.#wait !== undefined) throw this.#wait.error;
  }

  /** `updates wait: ...` while waiting, for the daemon's problems. */
  problem(): string | undefined {
    return this.#wait === undefined ? undefined : `updates wait: ${this.#wait.error.message}`;
  }

  async release(): Promise<void> {
    clearInterval(this.#wait?.timer);
    this.#wait = undefined;
    await this.#lock?.release();
    this.#lock = undefined;
  }

  /** Takes the lock, or, while another updater holds it, tries again every LOCK_RETRY_MS. */
  async #takeOrWait(): Promise<void> {
    if (this.#trying || this.#lock !== undefined) return;
    this.#trying = true;
    try {
      this.#lock = await acquireUpdaterLock(this.#stateDir, this.#holder);
    } catch (error) {
      if (!(error instanceof UpdaterLockedError)) throw error;
      if (this.#wait === undefined) {
        const timer = setInterval(() => {
          void this.#takeOrWait().catch((retryError: unknown) => this.#logger.warn('cannot take the update lock', { err: messageOf(retryError) }));
        }, LOCK_RETRY_MS);
        timer.unref();
        this.#wait = { error, timer };
        this.#logger.warn('another updater holds the update lock; runs and rollbacks wait for it', { err: error.message });
        this.#onChange();
      }
      return;
    } finally {
      this.#trying = false;
    }
    if (this.#wait !== undefined) {
      clearInterval(this.#wait.timer);
      this.#wait = undefined;
      this.#logger.info('took the update lock; updates run again');
      this.#onChange();
    }
  }
}
