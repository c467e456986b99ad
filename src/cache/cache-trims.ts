import schedule from 'node-schedule';
import { formatBytes } from '../core/byte-size.js';
import { trimNeed, type TrimSettings } from '../core/policy/thresholds.js';
import { trimPlan } from '../core/policy/victims.js';
import type { CacheContext } from './cache-context.js';
import type { CopyRemovals } from './copy-removals.js';
import type { SpaceWatch } from './space-watch.js';

/** What a trim removed (or, with dryRun, would remove), least valuable first. */
export interface TrimResult {
  readonly evicted: ReadonlyArray<{ category: string; name: string; bytes: number; reason: string }>;
  readonly freedBytes: number;
  readonly targetBytes: number;
  readonly dryRun: boolean;
}

export interface TrimOptions {
  readonly dryRun?: boolean;
  readonly toBytes?: number;
}

/**
 * The cachefilesd-style trims: at once when a threshold is crossed (above
 * cache.maxBytes, under cache.minFreeBytes free), on cache.trimSchedule, and
 * when asked (`arenactl trim`). Core's trim plan picks the victims; one trim
 * runs at a time.
 */
export class CacheTrims {
  readonly #context: CacheContext;
  readonly #space: SpaceWatch;
  readonly #removals: CopyRemovals;
  #job?: schedule.Job;
  #trimming?: Promise<TrimResult>;

  constructor(context: CacheContext, space: SpaceWatch, removals: CopyRemovals) {
    this.#context = context;
    this.#space = space;
    this.#removals = removals;
  }

  /**
   * Brings the cache down to `toBytes`, or to the low-water mark, removing
   * the least valuable models first; with dryRun, only says what would go.
   * Pinned models and copies in progress are never removed.
   */
  async trim(options: TrimOptions = {}): Promise<TrimResult> {
    // A trim still running is waited for, whatever its outcome (its caller heard of a failure); then this one runs.
    while (this.#trimming) await this.#trimming.catch(() => undefined);
    const run = this.#trimOnce(options);
    this.#trimming = run;
    try {
      return await run;
    } finally {
      this.#trimming = undefined;
    }
  }

  /** Trims at once when a threshold is crossed (a lowered quota, other data filling the disk). */
  async trimIfNeeded(): Promise<void> {
    const need = trimNeed({ cacheBytes: this.#context.cachedBytes(), freeBytes: this.#context.space.freeBytes }, this.#thresholds());
    if (!need.needed || this.#trimming) return;
    this.#context.logger.info(need.reason);
    await this.trim();
  }

  /** Trims on cache.trimSchedule from now on, in place of the schedule before. */
  schedule(): void {
    this.#job?.cancel();
    this.#job = schedule.scheduleJob(this.#context.settings.trimSchedule, () => {
      void this.trim().catch((error: unknown) => this.#context.logger.error('the scheduled trim failed', { err: error }));
    });
  }

  cancelSchedule(): void {
    this.#job?.cancel();
  }

  async #trimOnce(options: TrimOptions): Promise<TrimResult> {
    const context = this.#context;
    await this.#space.refresh();
    const cacheBytes = context.cachedBytes();
    const need = trimNeed({ cacheBytes, freeBytes: context.space.freeBytes }, this.#thresholds());
    const { maxBytes, lowWater } = context.settings;
    const lowWaterBytes = maxBytes > 0 ? Math.floor(maxBytes * lowWater) : cacheBytes;
    const targetBytes = options.toBytes ?? (need.needed ? need.targetBytes : Math.min(cacheBytes, lowWaterBytes));
    const plan = trimPlan(context.cachedModels(), targetBytes, context.policy.context(context.now()));
    const evicted: Array<{ category: string; name: string; bytes: number; reason: string }> = [];
    let freedBytes = 0;
    for (const victim of plan) {
      const slash = victim.key.indexOf('/');
      if (!options.dryRun) await this.#removals.remove(victim.key, `trimmed: least value per byte (${victim.reason})`, 'trim');
      // The entry's own reason says why it was worth keeping; here it has to say why it goes first.
      evicted.push({
        category: victim.key.slice(0, slash),
        name: victim.key.slice(slash + 1),
        bytes: victim.bytes,
        reason: `least value per byte of SSD among the rest (${victim.reason})`,
      });
      freedBytes += victim.bytes;
    }
    if (!options.dryRun && evicted.length > 0) {
      context.logger.info(`trimmed ${evicted.length} models, ${formatBytes(freedBytes)}`, {
        targetBytes,
        reason: need.needed ? need.reason : 'asked',
      });
      context.signals.wake();
    }
    return { evicted, freedBytes, targetBytes, dryRun: options.dryRun === true };
  }

  #thresholds(): TrimSettings {
    const { maxBytes, lowWater } = this.#context.settings;
    return { maxBytes, lowWater, minFreeBytes: this.#context.minFreeBytes() };
  }
}
