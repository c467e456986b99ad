import { minFreeBytesOf, type SpaceState } from '../core/admission.js';
import type { CatalogView } from '../core/catalog-view.js';
import type { CachedModel } from '../core/policy/victims.js';
import type { Logger } from '../log/logger.js';
import type { CacheEvent } from './cache-events.js';
import type { CacheSettings, CatalogFeed } from './cache-settings.js';
import { CacheTree } from './cache-tree.js';
import type { FreeSpace } from './free-space.js';
import type { Ledger } from './ledger.js';
import { PolicyState } from './policy-state.js';
import { PrefetchQueue } from './prefetch-queue.js';

/** What a part of the cache tells the service, which passes it on or acts on it. */
export interface CacheSignals {
  /** Something happened to a copy: subscribers hear of it. */
  announce(event: CacheEvent): void;
  /** The queue changed: it is saved soon. */
  queueChanged(): void;
  /** A job may be able to start: the prefetch plan runs again. */
  wake(): void;
}

export interface CacheContextOptions {
  readonly settings: CacheSettings;
  readonly library: CatalogFeed;
  readonly logger: Logger;
  readonly now: () => number;
  readonly signals: CacheSignals;
}

/**
 * What the parts of the cache service share: the settings, the tree, the
 * ledger and the queue, the policy's live inputs, the last reading of free
 * space, and the signals back to the service. The figures every part derives
 * from them (the cached bytes, the space state admission sees) are computed
 * here once.
 */
export class CacheContext {
  settings: CacheSettings;
  readonly tree: CacheTree;
  /** Loaded by the service's start, before any part runs. */
  ledger!: Ledger;
  /** Replaced by the saved queue at start. */
  queue = new PrefetchQueue();
  readonly policy = new PolicyState();
  space: FreeSpace = { freeBytes: 0, totalBytes: 0 };
  /** Set once stop began: nothing new starts, nothing is scheduled. */
  stopping = false;
  readonly logger: Logger;
  readonly now: () => number;
  readonly signals: CacheSignals;
  readonly #library: CatalogFeed;

  constructor(options: CacheContextOptions) {
    this.settings = options.settings;
    this.tree = new CacheTree(options.settings.root);
    this.#library = options.library;
    this.logger = options.logger;
    this.now = options.now;
    this.signals = options.signals;
  }

  /** The library catalog, as the feed holds it. */
  get catalog(): CatalogView {
    return this.#library.catalog;
  }

  cachedBytes(): number {
    let bytes = 0;
    for (const entry of this.ledger.entries()) bytes += entry.size;
    return bytes;
  }

  /** cache.minFreeBytes in bytes, a percentage read against the filesystem's size. */
  minFreeBytes(): number {
    return minFreeBytesOf(this.settings.minFreeBytes, this.space.totalBytes);
  }

  /** The cached models as the policy sees them, leaving out those being copied again right now. */
  cachedModels(): CachedModel[] {
    const busy = new Set(this.queue.active().map((job) => job.key));
    return this.ledger
      .entries()
      .map((entry) => ({ key: `${entry.category}/${entry.name}`, bytes: entry.size, pinned: entry.pinned, cachedAt: entry.cachedAt }))
      .filter((entry) => !busy.has(entry.key));
  }

  /** The cache's bytes, the running copies and the free space, as admission control weighs them. */
  spaceState(): SpaceState {
    const active = this.queue.active();
    return {
      cacheBytes: this.cachedBytes(),
      reservedBytes: active.reduce((sum, job) => sum + job.active!.source.size, 0),
      pendingWriteBytes: active.reduce((sum, job) => sum + job.active!.source.size - job.active!.copiedBytes, 0),
      freeBytes: this.space.freeBytes,
      totalBytes: this.space.totalBytes,
      maxBytes: this.settings.maxBytes,
      minFreeBytes: this.minFreeBytes(),
    };
  }
}
