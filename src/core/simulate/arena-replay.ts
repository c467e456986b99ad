/**
 * Arena's policy replayed on a trace: the daemon's own decisions on a
 * simulated clock, with a simulated copier instead of real copies.
 *
 * What is shared with the daemon (src/cache/cache-service.ts), not copied:
 * the job queue (PrefetchJobs), what a request becomes (requestVerdict), the
 * prefetch plan with its evictions and admission control (planPrefetch), the
 * hit rule (runOutcome), the usage model and the fading predictions behind
 * every entry value, the warm-up (warmupDue, warmupCandidates,
 * warmupRequests) and the trim plan. What is the simulator's own is only the
 * shell around them, doing what the daemon's shell does:
 * - a `save` asks for its models at `workflow` priority, as a saved workflow
 *   does; a `run` counts each model as a hit when its copy had landed at or
 *   before `t`, records the run in the usage model under the trace's
 *   `workflow` id, and asks for its misses at `warm` priority;
 * - the plan is made after every request and whenever a copy lands; its
 *   evictions happen at once;
 * - every 30 s of simulated time the periodic check runs: the warm-up (when
 *   nothing is queued or copying, no run in the last 2 min, at most every
 *   10 min) and a new plan; every day at 04:00 the scheduled trim (the
 *   default `cache.trimSchedule`) brings the cache down to its low-water mark;
 * - copies run `concurrency` at a time and share the bandwidth.
 * The quota is the only limit: the simulated disk never fills.
 */
import type { AdmissionRules, PrefetchPriority, SpaceState } from '../admission.js';
import { parseModelKey } from '../categories.js';
import type { ValueContext } from '../policy/entry-value.js';
import { Predictions } from '../policy/predictions.js';
import { UsageModel } from '../policy/usage-model.js';
import { trimPlan, type CachedModel } from '../policy/victims.js';
import { COMFY_BUSY_MS, WARMUP_EVERY_MS, warmupCandidates, warmupDue, warmupRequests } from '../policy/warmup.js';
import { PrefetchJobs, type PrefetchJobOf } from '../prefetch-jobs.js';
import { planPrefetch, type PendingJob } from '../prefetch-plan.js';
import { requestVerdict } from '../request-verdict.js';
import { runOutcome } from '../run-outcome.js';
import { SimCopier, type SimCopy } from './sim-copier.js';
import { Tally, type SimulationResult } from './sim-result.js';
import type { TraceEvent, TraceModel } from './trace.js';

/** Where t = 0 of a trace falls on the simulated clock: a Monday, 00:00 UTC (hours of the week count from here). */
export const SIM_EPOCH_MS = Date.UTC(1970, 0, 5);
export const DEFAULT_BANDWIDTH_BYTES_PER_SECOND = 500e6;
/** The daemon's default prefetch.concurrency. */
export const DEFAULT_CONCURRENCY = 2;
/** The daemon's default cache.lowWater. */
export const DEFAULT_LOW_WATER = 0.9;

/** The daemon's periodic check (CacheService's checkIntervalMs default). */
const CHECK_EVERY_MS = 30_000;
const DAY_MS = 24 * 3600_000;
/** The default cache.trimSchedule, `0 4 * * *`. */
const TRIM_AT_MS_OF_DAY = 4 * 3600_000;
/** The simulated disk: so large that only the quota limits the cache. */
const DISK_BYTES = 2 ** 52;

export interface ArenaOptions {
  readonly capacityBytes: number;
  readonly bandwidthBytesPerSecond?: number;
  readonly concurrency?: number;
  /** The trim's low-water mark, as a share of the capacity. */
  readonly lowWater?: number;
  /** Keys pinned (`arenactl pin`) as soon as the trace first names them. */
  readonly pinned?: readonly string[];
  /** Told of every copy that lands and every cached copy that goes, as it happens: for tests and explanations. */
  readonly onChange?: (change: CacheChange) => void;
}

export interface CacheChange {
  /** Seconds on the trace's clock. */
  readonly t: number;
  readonly kind: 'landed' | 'evicted' | 'stale';
  readonly key: string;
  readonly bytes: number;
  /** Bytes of complete copies in the cache after the change. */
  readonly cacheBytes: number;
  /** Whether the model is pinned (for `evicted`, a pinned model going would be a bug). */
  readonly pinned: boolean;
}

interface CachedCopy {
  readonly bytes: number;
  readonly cachedAt: number;
  pinned: boolean;
}

type SimJob = PrefetchJobOf<SimCopy>;

export function simulateArena(trace: readonly TraceEvent[], options: ArenaOptions): SimulationResult {
  const replay = new ArenaReplay(options);
  for (const event of trace) replay.play(event);
  return replay.finish();
}

class ArenaReplay {
  readonly #capacity: number;
  readonly #lowWater: number;
  readonly #rules: AdmissionRules & { readonly minFreeBytes: number; readonly concurrency: number };
  readonly #copier: SimCopier;
  readonly #tally = new Tally();
  readonly #usage = new UsageModel();
  readonly #predictions = new Predictions();
  /** The library as the trace has shown it so far: key → bytes. */
  readonly #library = new Map<string, number>();
  readonly #cache = new Map<string, CachedCopy>();
  readonly #jobs = new PrefetchJobs<SimCopy>();
  readonly #toPin: Set<string>;
  readonly #onChange: ((change: CacheChange) => void) | undefined;
  #now = SIM_EPOCH_MS;
  #lastCheck = -Infinity;
  #nextTrim = SIM_EPOCH_MS + TRIM_AT_MS_OF_DAY;
  #lastWarmup = 0;

  constructor(options: ArenaOptions) {
    this.#capacity = options.capacityBytes;
    this.#lowWater = options.lowWater ?? DEFAULT_LOW_WATER;
    this.#copier = new SimCopier(options.bandwidthBytesPerSecond ?? DEFAULT_BANDWIDTH_BYTES_PER_SECOND);
    this.#rules = {
      enabled: true,
      categories: [],
      minFileBytes: 0,
      maxBytes: options.capacityBytes,
      minFreeBytes: 0,
      concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    };
    this.#toPin = new Set(options.pinned ?? []);
    this.#onChange = options.onChange;
  }

  play(event: TraceEvent): void {
    this.#runUntil(SIM_EPOCH_MS + event.t * 1000);
    this.#learnSizes(event.models);
    const keys = event.models.map((model) => model.key);
    if (event.type === 'save') {
      this.#request(keys, 'workflow', `workflow ${event.workflow} saved`);
      return;
    }
    this.#usage.record({ at: this.#now, workflow: event.workflow, keys });
    const { misses } = runOutcome(keys, this.#now, (key) => this.#cache.get(key)?.cachedAt);
    const missed = new Set(misses);
    for (const model of event.models) this.#tally.request(model.bytes, !missed.has(model.key));
    if (misses.length > 0) this.#request(misses, 'warm', `a run of ${event.workflow}`);
  }

  /** The result; bytes of copies still running when the trace ends count as far as they got. */
  finish(): SimulationResult {
    for (const job of this.#jobs.active()) this.#tally.bytesCopied += job.active!.copiedBytes;
    return this.#tally.result('arena', this.#capacity);
  }

  /** Moves the clock to `target`: copies progress and land, periodic checks and scheduled trims happen on the way. */
  #runUntil(target: number): void {
    for (;;) {
      const copies = this.#jobs.active().map((job) => job.active!);
      const finishing = this.#copier.nextFinish(copies, this.#now);
      const finish = finishing?.at ?? Infinity;
      const check = this.#nextCheck();
      const next = Math.min(finish, check, this.#nextTrim);
      if (next > target) {
        this.#copier.advance(copies, target - this.#now);
        this.#now = Math.max(this.#now, target);
        return;
      }
      this.#copier.advance(copies, next - this.#now);
      this.#now = next;
      if (finishing !== undefined && next === finish) {
        this.#copier.complete(finishing.copies);
        this.#land();
      }
      if (next === check) this.#periodicCheck();
      if (next === this.#nextTrim) {
        this.#nextTrim += DAY_MS;
        this.#scheduledTrim();
      }
    }
  }

  /**
   * The next periodic check that can do anything. With nothing queued, a
   * check only looks for warm-ups, so the checks before one is due are
   * passed over (a pure shortcut: they would do nothing).
   */
  #nextCheck(): number {
    let from = Math.max(this.#lastCheck + CHECK_EVERY_MS, this.#now);
    if (this.#jobs.size === 0) {
      const lastRun = this.#usage.lastRunAt;
      from = Math.max(from, this.#lastWarmup + WARMUP_EVERY_MS, lastRun === undefined ? -Infinity : lastRun + COMFY_BUSY_MS);
    }
    return SIM_EPOCH_MS + Math.ceil((from - SIM_EPOCH_MS) / CHECK_EVERY_MS) * CHECK_EVERY_MS;
  }

  #periodicCheck(): void {
    this.#lastCheck = this.#now;
    this.#warmUpIfIdle();
    this.#pump();
  }

  #warmUpIfIdle(): void {
    const now = this.#now;
    if (!warmupDue(now, { queuedJobs: this.#jobs.size, lastWarmup: this.#lastWarmup, lastRunAt: this.#usage.lastRunAt })) return;
    const candidates = warmupCandidates(this.#usage, now, (key) => this.#cache.has(key));
    if (candidates.length === 0) return;
    this.#lastWarmup = now;
    for (const { keys, origin } of warmupRequests(candidates)) this.#request(keys, 'warm', origin);
  }

  #scheduledTrim(): void {
    const cacheBytes = this.#cacheBytes();
    const target = Math.min(cacheBytes, Math.floor(this.#capacity * this.#lowWater));
    const plan = trimPlan(this.#cachedModels(), target, this.#context());
    for (const victim of plan) this.#evict(victim.key);
    if (plan.length > 0) this.#pump();
  }

  /** Sizes as the event shows them; a file that changed size makes its cached copy (or running copy) stale. */
  #learnSizes(models: readonly TraceModel[]): void {
    for (const { key, bytes } of models) {
      const known = this.#library.get(key);
      this.#library.set(key, bytes);
      if (known !== undefined && known !== bytes) {
        const stale = this.#cache.get(key);
        this.#cache.delete(key);
        if (stale !== undefined) this.#tell('stale', key, stale);
        const job = this.#jobs.get(key);
        if (job?.active) {
          this.#tally.bytesCopied += job.active.copiedBytes;
          delete job.active;
        }
      }
      if (this.#toPin.delete(key)) this.#request([key], 'urgent', 'pinned', true);
    }
  }

  #request(keys: readonly string[], priority: PrefetchPriority, origin: string, pin = false): void {
    if (keys.length > 0) this.#predictions.add({ keys, at: this.#now, priority, origin });
    for (const key of keys) {
      const { category, name } = parseModelKey(key)!;
      const cached = this.#cache.get(key);
      const verdict = requestVerdict({ category, bytes: this.#library.get(key)!, cached: cached !== undefined }, this.#rules, this.#space());
      if (verdict.kind === 'cached' && pin) cached!.pinned = true;
      if (verdict.kind === 'queue') this.#jobs.add({ key, category, name, priority, origin, pin }, this.#now);
    }
    this.#pump();
  }

  #pump(): void {
    const pending: PendingJob[] = this.#jobs.pending().map((job) => ({
      key: job.key,
      category: job.category,
      bytes: this.#library.get(job.key),
      available: true,
      alreadyCached: this.#cache.has(job.key),
      priority: job.priority,
      notBefore: job.notBefore,
      pin: job.pin,
    }));
    if (pending.length === 0) return;
    const decisions = planPrefetch({
      now: this.#now,
      pending,
      running: this.#jobs.active().map((job) => ({ key: job.key, bytes: job.active!.bytes, copiedBytes: job.active!.copiedBytes })),
      cached: this.#cachedModels(),
      cacheBytes: this.#cacheBytes(),
      freeBytes: DISK_BYTES,
      totalBytes: DISK_BYTES,
      rules: this.#rules,
      context: this.#context(),
    });
    for (const decision of decisions) {
      const job = this.#jobs.get(decision.key);
      if (job === undefined || job.active) continue;
      switch (decision.action) {
        case 'done':
        case 'drop':
          this.#jobs.remove(job.key);
          break;
        case 'wait':
          job.waiting = decision.reason;
          break;
        case 'start':
          for (const victim of decision.evict) this.#evict(victim.key);
          this.#start(job);
          break;
      }
    }
  }

  #start(job: SimJob): void {
    job.active = { bytes: this.#library.get(job.key)!, copiedBytes: 0, startedAt: this.#now };
    delete job.waiting;
    job.attempts += 1;
    const reserved = this.#jobs.active().reduce((sum, running) => sum + running.active!.bytes, 0);
    this.#tally.holding(this.#cacheBytes() + reserved);
  }

  /** Every copy that has finished lands in the cache; then the plan is made again, as after a real copy. */
  #land(): void {
    for (const job of this.#jobs.active()) {
      const copy = job.active!;
      if (copy.copiedBytes < copy.bytes) continue;
      this.#jobs.remove(job.key);
      const landed = { bytes: copy.bytes, cachedAt: this.#now, pinned: job.pin };
      this.#cache.set(job.key, landed);
      this.#tally.bytesCopied += copy.bytes;
      this.#tell('landed', job.key, landed);
    }
    this.#pump();
  }

  #evict(key: string): void {
    const copy = this.#cache.get(key);
    if (copy === undefined) return;
    this.#cache.delete(key);
    this.#tally.evictions += 1;
    this.#tell('evicted', key, copy);
  }

  #tell(kind: CacheChange['kind'], key: string, copy: CachedCopy): void {
    this.#onChange?.({ t: (this.#now - SIM_EPOCH_MS) / 1000, kind, key, bytes: copy.bytes, cacheBytes: this.#cacheBytes(), pinned: copy.pinned });
  }

  #cachedModels(): CachedModel[] {
    return [...this.#cache].map(([key, copy]) => ({ key, bytes: copy.bytes, pinned: copy.pinned, cachedAt: copy.cachedAt }));
  }

  #cacheBytes(): number {
    let bytes = 0;
    for (const copy of this.#cache.values()) bytes += copy.bytes;
    return bytes;
  }

  #space(): SpaceState {
    const running = this.#jobs.active().map((job) => job.active!);
    return {
      cacheBytes: this.#cacheBytes(),
      reservedBytes: running.reduce((sum, copy) => sum + copy.bytes, 0),
      pendingWriteBytes: running.reduce((sum, copy) => sum + copy.bytes - copy.copiedBytes, 0),
      freeBytes: DISK_BYTES,
      totalBytes: DISK_BYTES,
      maxBytes: this.#capacity,
      minFreeBytes: 0,
    };
  }

  #context(): ValueContext {
    return { now: this.#now, usage: this.#usage, predictions: this.#predictions };
  }
}
