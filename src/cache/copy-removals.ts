import { messageOf } from '../core/arena-error.js';
import type { CacheContext } from './cache-context.js';
import type { EvictionCause } from './cache-events.js';
import { detectRemovedFiles, removeCachedCopy } from './removal.js';

/**
 * Takes cached copies off the SSD, each removal announced and counted, and
 * notices copies deleted or changed by hand. Removals and that check run one
 * at a time, so that neither sees the other half done.
 */
export class CopyRemovals {
  readonly #context: CacheContext;
  #treeWork: Promise<unknown> = Promise.resolve();

  constructor(context: CacheContext) {
    this.#context = context;
  }

  /** Removes the copy of `key` and its ledger entry; resolves with the bytes it held. */
  async remove(key: string, reason: string, cause: EvictionCause): Promise<number> {
    const { tree, ledger, logger, signals } = this.#context;
    const removed = await this.#exclusive(() => removeCachedCopy(tree, ledger, key, reason));
    ledger.recordEviction();
    logger.info(`removed ${key} from the SSD: ${reason}`, { bytes: removed.bytes });
    signals.announce({ event: 'cache.evicted', key, bytes: removed.bytes, reason, cause });
    return removed.bytes;
  }

  /** The periodic check for cached files deleted or changed outside the daemon; a failure is logged, and the next check tries again. */
  async findChangedOutside(): Promise<void> {
    const { tree, ledger, logger, signals } = this.#context;
    try {
      for (const change of await this.#exclusive(() => detectRemovedFiles(tree, ledger))) {
        logger.warn(`${change.key}: ${change.reason}`);
        signals.announce({ event: 'cache.evicted', key: change.key, bytes: 0, reason: change.reason, cause: 'deleted_outside' });
      }
    } catch (error) {
      logger.warn('checking the cached files failed', { err: messageOf(error) });
    }
  }

  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    // The work before failed on its own account (its caller heard of it); this one runs regardless.
    const run = this.#treeWork.catch(() => undefined).then(work);
    this.#treeWork = run;
    return run;
  }
}
