import path from 'node:path';
import type { PrefetchPriority } from '../core/admission.js';
import { ArenaError } from '../core/arena-error.js';
import { modelKey, parseModelKey } from '../core/categories.js';
import { requestVerdict } from '../core/request-verdict.js';
import { runOutcome } from '../core/run-outcome.js';
import type { CacheContext } from './cache-context.js';
import type { EvictionCause, PrefetchOutcome, RunCounted } from './cache-events.js';
import type { CopyRemovals } from './copy-removals.js';
import { sameSource } from './ledger-entry.js';

export interface ModelRef {
  readonly category: string;
  readonly name: string;
}

/** Asks for models to be on the SSD, each answered with what happens to it and why. */
export type RequestModels = (models: readonly ModelRef[], priority: PrefetchPriority, origin: string, pin?: boolean) => PrefetchOutcome[];

export interface EvictOptions {
  readonly reason?: string;
  readonly cause?: EvictionCause;
  readonly force?: boolean;
}

/**
 * What the daemon asks of the cache by model: copy these (requests and the
 * misses of a run), pin, unpin, evict. Each request gets core's verdict as
 * its answer; what may be copied joins the queue, and the pump decides when.
 */
export class CacheRequests {
  readonly #context: CacheContext;
  readonly #removals: CopyRemovals;
  readonly #onRun: (run: RunCounted) => void;

  constructor(context: CacheContext, removals: CopyRemovals, onRun: (run: RunCounted) => void) {
    this.#context = context;
    this.#removals = removals;
    this.#onRun = onRun;
  }

  request(models: readonly ModelRef[], priority: PrefetchPriority, origin: string, pin = false): PrefetchOutcome[] {
    const context = this.#context;
    const keys = models.map((model) => modelKey(model.category, model.name)).filter((key): key is string => key !== undefined);
    context.policy.predict(keys, priority, origin, context.now());
    const outcomes = models.map((model) => this.#requestOne(model, priority, origin, pin));
    context.signals.queueChanged();
    context.signals.wake();
    return outcomes;
  }

  /**
   * A generation ran: each of its models was a hit when a complete copy was
   * on the SSD before the run started, else a miss. Missing ones are queued.
   */
  recordRun(models: readonly ModelRef[], startedAt: number, origin: string): { hits: number; misses: number } {
    const { ledger, policy } = this.#context;
    const byKey = new Map<string, ModelRef>();
    for (const model of models) {
      const key = modelKey(model.category, model.name);
      if (key !== undefined) byKey.set(key, model);
    }
    const keys = models.map((model) => modelKey(model.category, model.name)).filter((key): key is string => key !== undefined);
    policy.recordRun(keys, startedAt);
    const { hits, misses } = runOutcome(keys, startedAt, (key) => ledger.get(key)?.cachedAt);
    for (const key of hits) ledger.recordHit(key);
    for (let count = 0; count < misses.length; count += 1) ledger.recordMiss();
    if (keys.length > 0) this.#onRun({ origin, hits, misses });
    if (misses.length > 0)
      this.request(
        misses.map((key) => byKey.get(key)!),
        'warm',
        origin,
      );
    return { hits: hits.length, misses: misses.length };
  }

  pin(key: string): PrefetchOutcome {
    const { category, name } = parseKey(key);
    const normalized = modelKey(category, name)!;
    const entry = this.#context.ledger.get(normalized);
    if (entry !== undefined) {
      this.#context.ledger.set({ ...entry, pinned: true });
      return { category, name, key: normalized, status: 'cached', bytes: entry.size };
    }
    const [outcome] = this.request([{ category, name }], 'urgent', 'arenactl pin', true);
    return outcome!;
  }

  unpin(key: string): { key: string; pinned: false } {
    const { ledger, queue } = this.#context;
    const { category, name } = parseKey(key);
    const normalized = modelKey(category, name)!;
    const entry = ledger.get(normalized);
    const job = queue.get(normalized);
    if (entry === undefined && job === undefined) throw new ArenaError('E_NOT_FOUND', `${normalized} is neither cached nor queued`);
    if (entry !== undefined) ledger.set({ ...entry, pinned: false });
    if (job !== undefined) job.pin = false;
    return { key: normalized, pinned: false };
  }

  /** Whether the model is cached, or queued or copying. */
  holds(key: string): boolean {
    const normalized = parseModelKey(key);
    const normalizedKey = normalized === undefined ? undefined : modelKey(normalized.category, normalized.name);
    return normalizedKey !== undefined && (this.#context.ledger.has(normalizedKey) || this.#context.queue.get(normalizedKey) !== undefined);
  }

  /**
   * Removes a model from the SSD (and from the queue); ComfyUI falls back to
   * the NAS file. A pinned model stays unless `force`: pinning promised it.
   */
  async evict(key: string, options: EvictOptions = {}): Promise<{ key: string; bytes: number }> {
    const context = this.#context;
    const { reason = 'evicted by arenactl', cause = 'manual', force = false } = options;
    const { category, name } = parseKey(key);
    const normalized = modelKey(category, name)!;
    const job = context.queue.get(normalized);
    const entry = context.ledger.get(normalized);
    if (job === undefined && entry === undefined) throw new ArenaError('E_NOT_FOUND', `${normalized} is neither cached nor queued`);
    if (!force && (entry?.pinned === true || job?.pin === true)) {
      throw new ArenaError('E_PINNED', `${normalized} is pinned; unpin it first (arenactl unpin ${normalized}), or evict it anyway with --force`);
    }
    context.policy.predictions.forget(normalized);
    if (job !== undefined) {
      context.queue.remove(normalized);
      if (job.active) {
        job.active.abortReason = 'evicted';
        job.active.controller.abort();
      }
      context.signals.queueChanged();
    }
    const bytes = entry === undefined ? 0 : await this.#removals.remove(normalized, reason, cause);
    context.signals.wake();
    return { key: normalized, bytes };
  }

  #requestOne(model: ModelRef, priority: PrefetchPriority, origin: string, pin: boolean): PrefetchOutcome {
    const context = this.#context;
    const { category, name } = model;
    const key = modelKey(category, name);
    if (key === undefined)
      return { category, name, status: 'skipped', reason: 'invalid-name', message: `${category}/${name} is not a valid model name` };
    const source = context.catalog.lookup(category, name);
    if (source === undefined) {
      return { category, name, key, status: 'skipped', reason: 'not-found', message: `${key} is not in the library` };
    }
    const cached = context.ledger.get(key);
    const upToDate = cached !== undefined && (!source.available || sameSource(cached, source));
    const verdict = requestVerdict({ category: source.category, bytes: source.size, cached: upToDate }, context.settings, context.spaceState());
    if (verdict.kind === 'cached') {
      if (pin && !cached!.pinned) context.ledger.set({ ...cached!, pinned: true });
      return { category, name, key, status: 'cached', bytes: cached!.size };
    }
    if (verdict.kind === 'skipped')
      return { category, name, key, status: 'skipped', bytes: source.size, reason: verdict.reason, message: verdict.message };

    const { job, added } = context.queue.add({ key, category: source.category, name: source.name, priority, origin, pin }, context.now());
    if (added) context.signals.announce({ event: 'prefetch.queued', key, bytes: source.size, priority: job.priority, origin: job.origin });
    return { category, name, key, status: job.active ? 'copying' : 'queued', bytes: source.size };
  }
}

/** The category and name of a key given on the command line; E_PATH for one that is not a key or would leave the library. */
function parseKey(key: string): ModelRef {
  const parsed = parseModelKey(key);
  if (parsed === undefined || path.isAbsolute(key) || key.split(/[\\/]/).includes('..')) {
    throw new ArenaError('E_PATH', `"${key}" is not a model key: use CATEGORY/NAME inside the library, such as loras/style.safetensors`);
  }
  return parsed;
}
