import type { CatalogEntry } from '../core/catalog-view.js';
import { planPrefetch } from '../core/prefetch-plan.js';
import type { CacheContext } from './cache-context.js';
import type { CopyRemovals } from './copy-removals.js';
import type { CopyRuns } from './copy-runs.js';
import { sameSource } from './ledger-entry.js';
import type { PrefetchJob } from './prefetch-queue.js';
import type { SpaceWatch } from './space-watch.js';

export interface PrefetchPumpParts {
  readonly space: SpaceWatch;
  readonly removals: CopyRemovals;
  readonly copies: CopyRuns;
}

/**
 * Runs the queue: each time something may have changed (a request, a copy
 * that ended, a trim, a folder back), it asks core's prefetch plan what each
 * waiting job does now (start, making room first; wait, and why; or drop)
 * and does it. Runs one at a time: a wake-up while it runs makes it run once
 * more afterwards.
 */
export class PrefetchPump {
  readonly #context: CacheContext;
  readonly #parts: PrefetchPumpParts;
  #pumping = false;
  #pumpAgain = false;

  constructor(context: CacheContext, parts: PrefetchPumpParts) {
    this.#context = context;
    this.#parts = parts;
  }

  /** Starts as many runnable jobs as the concurrency allows; runs again if asked while running. */
  wake(): void {
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    void this.#pumpOnce()
      .catch((error: unknown) => this.#context.logger.error('prefetch scheduling failed', { err: error }))
      .finally(() => {
        this.#pumping = false;
        if (this.#pumpAgain && !this.#context.stopping) {
          this.#pumpAgain = false;
          this.wake();
        }
      });
  }

  async #pumpOnce(): Promise<void> {
    const context = this.#context;
    if (context.stopping || !context.settings.enabled) return;
    await this.#parts.space.refresh();
    const now = context.now();
    const { catalog, ledger, queue } = context;
    const sources = new Map<string, CatalogEntry | undefined>();
    const pending = queue.pending().map((job) => {
      const source = catalog.lookup(job.category, job.name);
      sources.set(job.key, source);
      const cached = ledger.get(job.key);
      return {
        key: job.key,
        category: job.category,
        bytes: source?.size,
        available: source?.available ?? false,
        alreadyCached: source !== undefined && cached !== undefined && sameSource(cached, source),
        priority: job.priority,
        notBefore: job.notBefore,
        pin: job.pin,
      };
    });
    const decisions = planPrefetch({
      now,
      pending,
      running: queue.active().map((job) => ({ key: job.key, bytes: job.active!.source.size, copiedBytes: job.active!.copiedBytes })),
      cached: context.cachedModels(),
      cacheBytes: context.cachedBytes(),
      freeBytes: context.space.freeBytes,
      totalBytes: context.space.totalBytes,
      rules: { ...context.settings, minFreeBytes: context.minFreeBytes() },
      context: context.policy.context(now),
    });
    for (const decision of decisions) {
      const job = queue.get(decision.key);
      if (job === undefined || job.active) continue;
      switch (decision.action) {
        case 'done':
          queue.remove(job.key);
          context.signals.queueChanged();
          break;
        case 'drop':
          this.#drop(job, decision.code, decision.reason);
          break;
        case 'wait':
          if (job.waiting !== decision.reason) context.logger.info(`${job.key}: ${decision.reason}`);
          job.waiting = decision.reason;
          break;
        case 'start': {
          for (const victim of decision.evict) {
            await this.#parts.removals.remove(
              victim.key,
              `made room for ${job.key} (${decision.because ?? job.origin}); it was ${victim.reason}`,
              'room',
            );
          }
          this.#parts.copies.start(job, sources.get(job.key)!);
          break;
        }
      }
    }
  }

  #drop(job: PrefetchJob, code: string, message: string): void {
    const { queue, signals, logger } = this.#context;
    queue.remove(job.key);
    signals.queueChanged();
    signals.announce({ event: 'prefetch.failed', key: job.key, code, message, retry: false });
    logger.info(`not copying ${job.key}: ${message}`);
  }
}
