import { parseModelKey } from '../core/categories.js';
import { warmupCandidates, warmupDue, warmupRequests } from '../core/policy/warmup.js';
import type { CacheContext } from './cache-context.js';
import type { ModelRef, RequestModels } from './cache-requests.js';

/**
 * With nothing queued or copying, and no generation in the last minutes
 * (a copy would compete with ComfyUI for the disk), asks for what history
 * says runs next, at the lowest priority: admission control decides.
 */
export class IdleWarmup {
  readonly #context: CacheContext;
  readonly #request: RequestModels;
  #lastWarmup = 0;

  constructor(context: CacheContext, request: RequestModels) {
    this.#context = context;
    this.#request = request;
  }

  /** Warms up when it is due (core's warmupDue says when); the periodic check calls it. */
  runIfIdle(): void {
    const context = this.#context;
    const now = context.now();
    if (!context.settings.enabled || context.stopping) return;
    const usage = context.policy.usage;
    if (!warmupDue(now, { queuedJobs: context.queue.size, lastWarmup: this.#lastWarmup, lastRunAt: usage.lastRunAt })) return;
    const candidates = warmupCandidates(usage, now, (key) => context.ledger.has(key));
    if (candidates.length === 0) return;
    this.#lastWarmup = now;
    for (const { keys, origin } of warmupRequests(candidates)) {
      const models = keys.map((key) => parseModelKey(key)).filter((model): model is ModelRef => model !== undefined);
      this.#request(models, 'warm', origin);
    }
  }
}
