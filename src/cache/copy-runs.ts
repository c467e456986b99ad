import { ArenaError, messageOf } from '../core/arena-error.js';
import type { CatalogEntry } from '../core/catalog-view.js';
import type { CacheContext } from './cache-context.js';
import type { CacheTree } from './cache-tree.js';
import { copyIntoCache, type CopyRequest, type CopyResult } from './copier.js';
import { copyRetryDelay } from './copy-retry.js';
import { CopyAbortedError, NoSpaceError, SourceMissingError, SourceReadError } from './errors.js';
import { entryForCopy } from './ledger-entry.js';
import type { PrefetchJob } from './prefetch-queue.js';
import type { SpaceWatch } from './space-watch.js';

/** Progress events of one copy are at least this far apart (the last one always goes out). */
const PROGRESS_EVERY_MS = 250;

export interface CopyRunsOptions {
  readonly space: SpaceWatch;
  /** The copier; tests give a slower or failing one. */
  readonly copy?: (tree: CacheTree, request: CopyRequest) => Promise<CopyResult>;
  /**
   * The real folders a library file must lie in to be copied (its folder and
   * its root); a source whose real path leaves them is refused at open.
   */
  readonly sourceBounds?: (entry: CatalogEntry) => Promise<readonly string[]>;
}

/**
 * The life of each copy the queue starts: it runs with its progress
 * announced, lands in the ledger, or fails and is tried again later or
 * dropped, by what failed. Only complete, verified files appear in the tree;
 * the copier guarantees that, and nothing here writes there itself.
 */
export class CopyRuns {
  readonly #context: CacheContext;
  readonly #options: CopyRunsOptions;
  readonly #running = new Set<Promise<void>>();
  readonly #lastProgress = new Map<string, number>();
  #completed = 0;
  #failed = 0;

  constructor(context: CacheContext, options: CopyRunsOptions) {
    this.#context = context;
    this.#options = options;
  }

  /** Copies that landed since the start. */
  get completed(): number {
    return this.#completed;
  }

  /** Copies that failed since the start, aborted ones not counted. */
  get failed(): number {
    return this.#failed;
  }

  start(job: PrefetchJob, source: CatalogEntry): void {
    const { settings, logger, signals, tree } = this.#context;
    const controller = new AbortController();
    job.active = { controller, source, startedAt: this.#context.now(), copiedBytes: 0 };
    delete job.waiting;
    job.attempts += 1;
    signals.announce({ event: 'prefetch.started', key: job.key, bytes: source.size, source: source.path });
    logger.info('copying to the SSD', { key: job.key, bytes: source.size, priority: job.priority, origin: job.origin });
    const request: CopyRequest = {
      source: source.path,
      expected: { size: source.size, mtimeMs: source.mtimeMs },
      category: source.category,
      name: source.name,
      verify: settings.verify,
      signal: controller.signal,
      onProgress: (copied) => this.#progress(job, copied),
    };
    const copy = this.#options.copy ?? copyIntoCache;
    const bounds = this.#options.sourceBounds;
    const run = (bounds === undefined ? Promise.resolve(request) : bounds(source).then((sourceBounds) => Object.assign(request, { sourceBounds })))
      .then((bounded) => copy(tree, bounded))
      .then((result) => this.#finished(job, request, result))
      .catch((error: unknown) => this.#failedWith(job, error))
      .finally(() => {
        this.#running.delete(run);
        signals.wake();
      });
    this.#running.add(run);
  }

  /** At stop: cancels every running copy (their staging files are removed; their jobs stay queued) and resolves once all have ended. */
  async stopAll(): Promise<void> {
    for (const job of this.#context.queue.active()) {
      job.active!.abortReason = 'stopping';
      job.active!.controller.abort();
    }
    await Promise.allSettled([...this.#running]);
  }

  #progress(job: PrefetchJob, copied: number): void {
    const active = job.active;
    if (!active) return;
    active.copiedBytes = copied;
    const now = this.#context.now();
    const last = this.#lastProgress.get(job.key) ?? 0;
    if (now - last < PROGRESS_EVERY_MS && copied < active.source.size) return;
    this.#lastProgress.set(job.key, now);
    const seconds = (now - active.startedAt) / 1000;
    const bytesPerSecond = seconds > 0 ? Math.round(copied / seconds) : 0;
    this.#context.signals.announce({
      event: 'prefetch.progress',
      key: job.key,
      bytesCopied: copied,
      bytes: active.source.size,
      percent: active.source.size === 0 ? 100 : Math.floor((copied / active.source.size) * 100),
      bytesPerSecond,
      etaSeconds: bytesPerSecond > 0 ? Math.round((active.source.size - copied) / bytesPerSecond) : null,
    });
  }

  #finished(job: PrefetchJob, request: CopyRequest, result: CopyResult): void {
    const { ledger, queue, logger, signals } = this.#context;
    const active = job.active!;
    delete job.active;
    this.#lastProgress.delete(job.key);
    const previous = ledger.get(result.key);
    const entry = entryForCopy(request, result, this.#context.now(), previous);
    ledger.set(job.pin ? { ...entry, pinned: true } : entry);
    ledger.addBytesCopied(result.size);
    this.#completed += 1;
    if (queue.get(job.key) === job) queue.remove(job.key);
    signals.queueChanged();
    const durationMs = Math.max(1, this.#context.now() - active.startedAt);
    signals.announce({
      event: 'prefetch.done',
      key: result.key,
      bytes: result.size,
      durationMs,
      bytesPerSecond: Math.round(result.size / (durationMs / 1000)),
      ...(result.sha256 === undefined ? {} : { sha256: result.sha256 }),
    });
    logger.info('cached on the SSD', { key: result.key, bytes: result.size, ms: durationMs });
  }

  #failedWith(job: PrefetchJob, error: unknown): void {
    const { queue, logger, signals } = this.#context;
    const active = job.active;
    delete job.active;
    this.#lastProgress.delete(job.key);
    if (error instanceof CopyAbortedError) {
      // Stopping keeps the job for the next start; an eviction already removed it; an invalidated copy starts over.
      if (active?.abortReason === 'invalidated') job.attempts = 0;
      return;
    }
    this.#failed += 1;
    const code = error instanceof ArenaError ? error.code : 'E_INTERNAL';
    const message = messageOf(error);
    const source = this.#context.catalog.lookup(job.category, job.name);
    if (error instanceof NoSpaceError) this.#options.space.ranOut(job.key, active?.source.size ?? 0);
    if ((error instanceof SourceMissingError || error instanceof SourceReadError) && source !== undefined && !source.available) {
      job.waiting = `the library folder of ${job.key} is unreachable; it is copied when the folder returns`;
    }
    const retryInMs = copyRetryDelay({ error, attempts: job.attempts, source });
    const retry = retryInMs !== undefined && queue.get(job.key) === job;
    if (retry) job.notBefore = this.#context.now() + retryInMs;
    else queue.remove(job.key);
    signals.queueChanged();
    signals.announce({ event: 'prefetch.failed', key: job.key, code, message, retry });
    logger.warn(`copy of ${job.key} failed${retry ? '; will retry' : ''}`, { code, reason: message });
    if (retry && retryInMs > 0) setTimeout(() => signals.wake(), retryInMs).unref();
  }
}
