import type { CatalogEntry } from '../core/catalog-view.js';
import { modelKey } from '../core/categories.js';
import type { CacheContext } from './cache-context.js';
import type { RequestModels } from './cache-requests.js';
import type { CopyRemovals } from './copy-removals.js';
import { sameSource } from './ledger-entry.js';

export interface RevalidationParts {
  readonly removals: CopyRemovals;
  /**
   * Whether the library folder holding a path is reachable now; undefined
   * when no folder holds it. Only a reachable folder that lacks a file proves
   * the file is gone: an unmounted NAS never does.
   */
  readonly folderReachable: (file: string) => boolean | undefined;
  /** Queues models again: a dropped copy that is still wanted. */
  readonly request: RequestModels;
}

/**
 * Keeps cached copies true to the library: a copy whose library file
 * changed or went away is dropped at once (and queued again while it is
 * still wanted), and a copy running from a file that changed is cancelled.
 */
export class Revalidation {
  readonly #context: CacheContext;
  readonly #parts: RevalidationParts;

  constructor(context: CacheContext, parts: RevalidationParts) {
    this.#context = context;
    this.#parts = parts;
  }

  /** A library file changed, appeared or went away: copies and running jobs of its key are checked. */
  async onLibraryChange(entry: CatalogEntry): Promise<void> {
    const key = modelKey(entry.category, entry.name);
    if (key === undefined) return;
    const job = this.#context.queue.get(key);
    if (job?.active && job.active.source.path === entry.path) {
      const running = job.active.source;
      const current = this.#context.catalog.lookup(entry.category, entry.name);
      if (current === undefined || current.path !== running.path || current.mtimeMs !== running.mtimeMs || current.size !== running.size) {
        job.active.abortReason = 'invalidated';
        job.active.controller.abort();
      }
    }
    try {
      await this.revalidate(key, 'after a library change');
    } catch (error) {
      this.#context.logger.error('checking a cached copy against the library failed', { key, err: error });
    }
  }

  /**
   * Removes the cached copy of a key when it no longer matches the file
   * ComfyUI would otherwise load, and queues it again when it is still wanted.
   */
  async revalidate(key: string, when: string): Promise<void> {
    const context = this.#context;
    const entry = context.ledger.get(key);
    if (entry === undefined) return;
    const source = context.catalog.lookup(entry.category, entry.name);
    if (source?.available && sameSource(entry, source)) return;
    if (source === undefined || !source.available) {
      // Without a reachable folder that lacks the file, nothing proves the copy stale (a NAS may just be away).
      if (this.#parts.folderReachable(entry.sourcePath) !== true) return;
    }
    const gone = source === undefined || !source.available;
    const reason = gone ? 'its library file was removed' : 'its library file changed';
    await this.#parts.removals.remove(key, reason, gone ? 'source_removed' : 'source_changed');
    context.logger.info(`dropped the cached copy of ${key} ${when}: ${reason}`);
    if (source?.available && (entry.pinned || context.policy.predictions.of(key, context.now()) !== undefined)) {
      this.#parts.request([{ category: entry.category, name: entry.name }], 'workflow', `${key} changed in the library`, entry.pinned);
    }
  }
}
