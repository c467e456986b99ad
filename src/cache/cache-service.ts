import { EventEmitter } from 'node:events';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ArenaError, messageOf } from '../core/arena-error.js';
import { minFreeBytesOf, type PrefetchPriority, type SpaceState } from '../core/admission.js';
import { formatBytes } from '../core/byte-size.js';
import { entryValue } from '../core/policy/entry-value.js';
import { trimNeed } from '../core/policy/thresholds.js';
import { trimPlan, type CachedModel } from '../core/policy/victims.js';
import { planPrefetch } from '../core/prefetch-plan.js';
import { warmupCandidates, warmupDue, warmupRequests } from '../core/policy/warmup.js';
import { requestVerdict } from '../core/request-verdict.js';
import { runOutcome } from '../core/run-outcome.js';
import schedule from 'node-schedule';
import type { CatalogEntry, CatalogView } from '../core/catalog-view.js';
import { modelKey, parseModelKey } from '../core/categories.js';
import type { Logger } from '../log/logger.js';
import type { CacheEvent, EvictionCause, PrefetchOutcome, RunCounted } from './cache-events.js';
import { CacheTree } from './cache-tree.js';
import { copyIntoCache, type CopyRequest, type CopyResult, type VerifyMode } from './copier.js';
import { CopyAbortedError, NoSpaceError, SourceChangedError, SourceMissingError, SourceReadError, VerifyError } from './errors.js';
import { freeSpace as statFreeSpace, type FreeSpace } from './free-space.js';
import { entryForCopy, type LedgerEntry } from './ledger-entry.js';
import { Ledger } from './ledger.js';
import { PolicyState } from './policy-state.js';
import { PrefetchQueue, type PrefetchJob } from './prefetch-queue.js';
import { reconcileCache } from './recovery.js';
import { detectRemovedFiles, removeCachedCopy } from './removal.js';

export interface CacheSettings {
  readonly enabled: boolean;
  readonly root: string;
  readonly maxBytes: number;
  readonly minFreeBytes: number | `${number}%`;
  readonly minFileBytes: number;
  readonly categories: readonly string[];
  readonly concurrency: number;
  readonly verify: VerifyMode;
  /** A trim brings the cache down to this share of maxBytes. */
  readonly lowWater: number;
  /** Cron expression of the scheduled trim. */
  readonly trimSchedule: string;
}

/** What a trim removed (or, with dryRun, would remove), least valuable first. */
export interface TrimResult {
  readonly evicted: ReadonlyArray<{ category: string; name: string; bytes: number; reason: string }>;
  readonly freedBytes: number;
  readonly targetBytes: number;
  readonly dryRun: boolean;
}

/** The catalog and its change events: the Library provides both. */
export interface CatalogFeed {
  readonly catalog: CatalogView;
  on(event: 'added' | 'removed', listener: (entry: CatalogEntry) => void): unknown;
  on(event: 'changed', listener: (entry: CatalogEntry, previous: CatalogEntry) => void): unknown;
  on(event: 'available', listener: (...args: unknown[]) => void): unknown;
}

export interface CacheServiceOptions {
  readonly settings: CacheSettings;
  readonly stateDir: string;
  readonly library: CatalogFeed;
  /**
   * Whether the library folder holding a path is reachable now; undefined
   * when no folder holds it. Only a reachable folder that lacks a file proves
   * the file is gone: an unmounted NAS never does.
   */
  readonly folderReachable: (file: string) => boolean | undefined;
  /**
   * The real folders a library file must lie in to be copied (its folder and
   * its root); a source whose real path leaves them is refused at open.
   */
  readonly sourceBounds?: (entry: CatalogEntry) => Promise<readonly string[]>;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly freeSpace?: (dir: string) => Promise<FreeSpace>;
  readonly copy?: (tree: CacheTree, request: CopyRequest) => Promise<CopyResult>;
  /** How often cached files deleted by hand are looked for, and waiting jobs re-checked. */
  readonly checkIntervalMs?: number;
}

interface CacheServiceEvents {
  event: [CacheEvent];
  /** recordRun counted a run's hits and misses. */
  run: [RunCounted];
  /** The problem list changed. */
  problems: [];
}

const PROGRESS_EVERY_MS = 250;
const MAX_ATTEMPTS = 5;

function sameSource(entry: LedgerEntry, source: CatalogEntry): boolean {
  return entry.sourcePath === source.path && entry.sourceSize === source.size && entry.sourceMtimeMs === source.mtimeMs;
}

/**
 * The SSD cache as a service: it takes prefetch requests, decides what may
 * be copied and when there is room, runs the copies with their progress,
 * keeps the ledger, drops copies whose library file changed, and counts hits
 * and misses of real runs. Only complete, verified files appear in the tree;
 * the copier guarantees that, and this service never writes there itself.
 */
export class CacheService extends EventEmitter<CacheServiceEvents> {
  readonly tree: CacheTree;
  #settings: CacheSettings;
  readonly #options: CacheServiceOptions;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #queueFile: string;
  #ledger!: Ledger;
  #queue = new PrefetchQueue();
  readonly #running = new Set<Promise<void>>();
  readonly #policy = new PolicyState();
  #trimJob?: schedule.Job;
  #trimming?: Promise<TrimResult>;
  readonly #problems = new Map<string, string>();
  #space: FreeSpace = { freeBytes: 0, totalBytes: 0 };
  #pumping = false;
  #pumpAgain = false;
  #stopping = false;
  #timer?: NodeJS.Timeout;
  #saveTimer?: NodeJS.Timeout;
  #queueSaving: Promise<void> = Promise.resolve();
  #lastProgress = new Map<string, number>();
  /** Removals and the periodic tree check run one at a time, so one never sees the other half done. */
  #treeWork: Promise<unknown> = Promise.resolve();
  #lastWarmup = 0;
  /** After ENOSPC: the bytes the failed copy needed; the problem clears once that much is free again. */
  #noSpaceNeed?: number;
  #completed = 0;
  #failed = 0;

  constructor(options: CacheServiceOptions) {
    super();
    this.#options = options;
    this.#settings = options.settings;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
    this.tree = new CacheTree(options.settings.root);
    this.#queueFile = path.join(options.stateDir, 'prefetch-queue.json');
  }

  get settings(): CacheSettings {
    return this.#settings;
  }

  /** Recovers the tree and the ledger, restores the saved queue, then starts copying. */
  async start(): Promise<void> {
    await this.tree.ensure();
    await mkdir(this.#options.stateDir, { recursive: true });
    this.#ledger = await Ledger.load(path.join(this.#options.stateDir, 'ledger.json'), this.#logger);
    const catalog = this.#options.library.catalog;
    await reconcileCache({
      tree: this.tree,
      ledger: this.#ledger,
      lookupSource: (category, name) => {
        const entry = catalog.lookup(category, name);
        return entry?.available ? { path: entry.path, size: entry.size, mtimeMs: entry.mtimeMs } : undefined;
      },
      verify: this.#settings.verify,
      logger: this.#logger,
    });
    for (const entry of this.#ledger.entries()) await this.#revalidate(modelKey(entry.category, entry.name)!, 'at start');
    this.#queue = await PrefetchQueue.load(this.#queueFile, this.#logger);
    if (this.#queue.all().length > 0) this.#logger.info('resuming saved prefetch jobs', { jobs: this.#queue.all().length });

    const library = this.#options.library;
    const onEntry = (entry: CatalogEntry) => void this.#onLibraryChange(entry);
    library.on('added', onEntry);
    library.on('removed', onEntry);
    library.on('changed', onEntry);
    library.on('available', () => this.#pump());
    this.#timer = setInterval(() => void this.#periodicCheck(), this.#options.checkIntervalMs ?? 30_000);
    this.#timer.unref();
    await this.#refreshSpace();
    this.#scheduleTrims();
    await this.#trimIfNeeded();
    this.#pump();
  }

  /** Cancels running copies (their staging files are removed), saves the queue and the ledger. */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#trimJob?.cancel();
    clearInterval(this.#timer);
    clearTimeout(this.#saveTimer);
    for (const job of this.#queue.active()) {
      job.active!.abortReason = 'stopping';
      job.active!.controller.abort();
    }
    await Promise.allSettled([...this.#running]);
    await this.#saveQueue();
    await this.#ledger?.close();
  }

  reconfigure(settings: CacheSettings): void {
    const rescheduled = settings.trimSchedule !== this.#settings.trimSchedule;
    this.#settings = { ...settings, root: this.#settings.root };
    if (rescheduled) this.#scheduleTrims();
    void this.#trimIfNeeded().catch((error: unknown) => this.#logger.error('trimming failed', { err: error }));
    this.#pump();
  }

  /** Asks for models to be on the SSD; each gets an answer saying what happens to it and why. */
  request(models: ReadonlyArray<{ category: string; name: string }>, priority: PrefetchPriority, origin: string, pin = false): PrefetchOutcome[] {
    const keys = models.map((model) => modelKey(model.category, model.name)).filter((key): key is string => key !== undefined);
    this.#policy.predict(keys, priority, origin, this.#now());
    const outcomes = models.map((model) => this.#requestOne(model, priority, origin, pin));
    this.#saveQueueSoon();
    this.#pump();
    return outcomes;
  }

  /**
   * A generation ran: each of its models was a hit when a complete copy was
   * on the SSD before the run started, else a miss. Missing ones are queued.
   */
  recordRun(models: ReadonlyArray<{ category: string; name: string }>, startedAt: number, origin: string): { hits: number; misses: number } {
    const byKey = new Map<string, { category: string; name: string }>();
    for (const model of models) {
      const key = modelKey(model.category, model.name);
      if (key !== undefined) byKey.set(key, model);
    }
    const keys = models.map((model) => modelKey(model.category, model.name)).filter((key): key is string => key !== undefined);
    this.#policy.recordRun(keys, startedAt);
    const { hits, misses } = runOutcome(keys, startedAt, (key) => this.#ledger.get(key)?.cachedAt);
    for (const key of hits) this.#ledger.recordHit(key);
    for (let count = 0; count < misses.length; count += 1) this.#ledger.recordMiss();
    if (keys.length > 0) this.emit('run', { origin, hits, misses });
    if (misses.length > 0) this.request(misses.map((key) => byKey.get(key)!), 'warm', origin);
    return { hits: hits.length, misses: misses.length };
  }

  pin(key: string): PrefetchOutcome {
    const { category, name } = this.#parseKey(key);
    const normalized = modelKey(category, name)!;
    const entry = this.#ledger.get(normalized);
    if (entry !== undefined) {
      this.#ledger.set({ ...entry, pinned: true });
      return { category, name, key: normalized, status: 'cached', bytes: entry.size };
    }
    const [outcome] = this.request([{ category, name }], 'urgent', 'arenactl pin', true);
    return outcome!;
  }

  unpin(key: string): { key: string; pinned: false } {
    const { category, name } = this.#parseKey(key);
    const normalized = modelKey(category, name)!;
    const entry = this.#ledger.get(normalized);
    const job = this.#queue.get(normalized);
    if (entry === undefined && job === undefined) throw new ArenaError('E_NOT_FOUND', `${normalized} is neither cached nor queued`);
    if (entry !== undefined) this.#ledger.set({ ...entry, pinned: false });
    if (job !== undefined) job.pin = false;
    return { key: normalized, pinned: false };
  }

  /** Whether the model is cached, or queued or copying. */
  holds(key: string): boolean {
    const normalized = parseModelKey(key);
    const normalizedKey = normalized === undefined ? undefined : modelKey(normalized.category, normalized.name);
    return normalizedKey !== undefined && (this.#ledger.has(normalizedKey) || this.#queue.get(normalizedKey) !== undefined);
  }

  /**
   * Removes a model from the SSD (and from the queue); ComfyUI falls back to
   * the NAS file. A pinned model stays unless `force`: pinning promised it.
   */
  async evict(
    key: string,
    options: { reason?: string; cause?: EvictionCause; force?: boolean } = {},
  ): Promise<{ key: string; bytes: number }> {
    const { reason = 'evicted by arenactl', cause = 'manual', force = false } = options;
    const { category, name } = this.#parseKey(key);
    const normalized = modelKey(category, name)!;
    const job = this.#queue.get(normalized);
    const entry = this.#ledger.get(normalized);
    if (job === undefined && entry === undefined) throw new ArenaError('E_NOT_FOUND', `${normalized} is neither cached nor queued`);
    if (!force && (entry?.pinned === true || job?.pin === true)) {
      throw new ArenaError('E_PINNED', `${normalized} is pinned; unpin it first (arenactl unpin ${normalized}), or evict it anyway with --force`);
    }
    this.#policy.predictions.forget(normalized);
    if (job !== undefined) {
      this.#queue.remove(normalized);
      if (job.active) {
        job.active.abortReason = 'evicted';
        job.active.controller.abort();
      }
      this.#saveQueueSoon();
    }
    const bytes = entry === undefined ? 0 : await this.#removeCopy(normalized, reason, cause);
    this.#pump();
    return { key: normalized, bytes };
  }

  /** The cached, copying and queued models, for `arenactl ls`, each with its value and the reason it is kept. */
  list() {
    const context = this.#policy.context(this.#now());
    const cached = this.#ledger.entries().map((entry) => {
      const key = `${entry.category}/${entry.name}`;
      const { value, reason } = entryValue({ key, bytes: entry.size, pinned: entry.pinned }, context);
      return {
        category: entry.category,
        name: entry.name,
        key,
        bytes: entry.size,
        state: 'cached' as const,
        pinned: entry.pinned,
        lastUsed: entry.lastUsed ?? null,
        hits: entry.hits,
        cachedAt: entry.cachedAt,
        // JSON has no Infinity: a pinned entry's value is null, and its reason says "pinned".
        value: Number.isFinite(value) ? Math.round(value * 1000) / 1000 : null,
        reason,
      };
    });
    const jobs = this.#queue.all().map((job) => {
      const source = job.active?.source ?? this.#options.library.catalog.lookup(job.category, job.name);
      return {
        category: job.category,
        name: job.name,
        key: job.key,
        bytes: source?.size ?? null,
        state: job.active ? ('copying' as const) : ('queued' as const),
        pinned: job.pin,
        lastUsed: null,
        hits: 0,
        priority: job.priority,
        origin: job.origin,
        reason: `${job.priority} prefetch for ${job.origin}`,
        ...(job.active ? { bytesCopied: job.active.copiedBytes } : {}),
        ...(job.waiting ? { waiting: job.waiting } : {}),
      };
    });
    // Work in progress first, then what is kept, most valuable first (pinned, valued null, on top).
    const kept = cached
      .filter((entry) => !this.#queue.get(entry.key))
      .sort((a, b) => (b.value ?? Infinity) - (a.value ?? Infinity) || a.key.localeCompare(b.key));
    return [...jobs, ...kept];
  }

  stats() {
    const totals = this.#ledger.totals;
    const requests = totals.hits + totals.misses;
    const active = this.#queue.active().length;
    return {
      hits: totals.hits,
      misses: totals.misses,
      hitRatio: requests === 0 ? 0 : totals.hits / requests,
      cache: {
        bytes: this.#cachedBytes(),
        files: this.#ledger.size,
        maxBytes: this.#settings.maxBytes,
        freeBytes: this.#space.freeBytes,
      },
      prefetch: {
        queued: this.#queue.all().length - active,
        active,
        completed: this.#completed,
        failed: this.#failed,
        bytesCopied: totals.bytesCopied,
      },
      evictions: totals.evictions,
    };
  }

  /** The cache and prefetch sections of `status`. */
  status() {
    const stats = this.stats();
    return {
      cache: {
        enabled: this.#settings.enabled,
        root: this.tree.root,
        ...stats.cache,
        totalBytes: this.#space.totalBytes,
        minFreeBytes: minFreeBytesOf(this.#settings.minFreeBytes, this.#space.totalBytes),
      },
      prefetch: {
        ...stats.prefetch,
        concurrency: this.#settings.concurrency,
        verify: this.#settings.verify,
        copying: this.#queue.active().map((job) => ({
          key: job.key,
          bytes: job.active!.source.size,
          bytesCopied: job.active!.copiedBytes,
        })),
        waiting: this.#queue
          .pending()
          .filter((job) => job.waiting !== undefined)
          .map((job) => ({ key: job.key, reason: job.waiting! })),
      },
    };
  }

  /** `cache 41.2 GB / 64.0 GB · copying sdxl.safetensors 43% · 2 queued`: the line systemd shows. */
  summary(): string {
    const used = this.#cachedBytes();
    const parts = [this.#settings.maxBytes > 0 ? `cache ${usage(used, this.#settings.maxBytes)}` : `cache ${formatBytes(used)}`];
    if (!this.#settings.enabled) parts.push('copying off');
    const active = this.#queue.active();
    const first = active[0];
    if (first?.active) {
      const percent = first.active.source.size === 0 ? 100 : Math.floor((first.active.copiedBytes / first.active.source.size) * 100);
      parts.push(`copying ${path.basename(first.name)} ${percent}%${active.length > 1 ? ` +${active.length - 1} more` : ''}`);
    }
    const queued = this.#queue.all().length - active.length;
    if (queued > 0) parts.push(`${queued} queued`);
    if (active.length === 0 && queued === 0) parts.push('idle');
    return parts.join(' · ');
  }

  problems(): string[] {
    return [...this.#problems.values()];
  }

  #requestOne(model: { category: string; name: string }, priority: PrefetchPriority, origin: string, pin: boolean): PrefetchOutcome {
    const { category, name } = model;
    const key = modelKey(category, name);
    if (key === undefined) return { category, name, status: 'skipped', reason: 'invalid-name', message: `${category}/${name} is not a valid model name` };
    const source = this.#options.library.catalog.lookup(category, name);
    if (source === undefined) {
      return { category, name, key, status: 'skipped', reason: 'not-found', message: `${key} is not in the library` };
    }
    const cached = this.#ledger.get(key);
    const upToDate = cached !== undefined && (!source.available || sameSource(cached, source));
    const verdict = requestVerdict({ category: source.category, bytes: source.size, cached: upToDate }, this.#settings, this.#spaceState());
    if (verdict.kind === 'cached') {
      if (pin && !cached!.pinned) this.#ledger.set({ ...cached!, pinned: true });
      return { category, name, key, status: 'cached', bytes: cached!.size };
    }
    if (verdict.kind === 'skipped') return { category, name, key, status: 'skipped', bytes: source.size, reason: verdict.reason, message: verdict.message };

    const { job, added } = this.#queue.add({ key, category: source.category, name: source.name, priority, origin, pin }, this.#now());
    if (added) this.#announce({ event: 'prefetch.queued', key, bytes: source.size, priority: job.priority, origin: job.origin });
    return { category, name, key, status: job.active ? 'copying' : 'queued', bytes: source.size };
  }

  #parseKey(key: string): { category: string; name: string } {
    const parsed = parseModelKey(key);
    if (parsed === undefined || path.isAbsolute(key) || key.split(/[\\/]/).includes('..')) {
      throw new ArenaError('E_PATH', `"${key}" is not a model key: use CATEGORY/NAME inside the library, such as loras/style.safetensors`);
    }
    return parsed;
  }

  #announce(event: CacheEvent): void {
    this.emit('event', event);
  }

  #cachedBytes(): number {
    let bytes = 0;
    for (const entry of this.#ledger.entries()) bytes += entry.size;
    return bytes;
  }

  #spaceState(): SpaceState {
    const active = this.#queue.active();
    return {
      cacheBytes: this.#cachedBytes(),
      reservedBytes: active.reduce((sum, job) => sum + job.active!.source.size, 0),
      pendingWriteBytes: active.reduce((sum, job) => sum + job.active!.source.size - job.active!.copiedBytes, 0),
      freeBytes: this.#space.freeBytes,
      totalBytes: this.#space.totalBytes,
      maxBytes: this.#settings.maxBytes,
      minFreeBytes: minFreeBytesOf(this.#settings.minFreeBytes, this.#space.totalBytes),
    };
  }

  async #refreshSpace(): Promise<void> {
    try {
      this.#space = await (this.#options.freeSpace ?? statFreeSpace)(this.tree.root);
    } catch (error) {
      this.#logger.warn('cannot read the free space of the cache filesystem', { root: this.tree.root, err: messageOf(error) });
    }
    const floor = minFreeBytesOf(this.#settings.minFreeBytes, this.#space.totalBytes);
    if (this.#noSpaceNeed !== undefined && this.#space.freeBytes >= floor + this.#noSpaceNeed) {
      this.#noSpaceNeed = undefined;
      this.#setProblem('no-space');
      // The copies that failed for space may try again at once.
      for (const job of this.#queue.pending()) job.notBefore = 0;
    }
  }

  #wanted(key: string, now: number): boolean {
    return this.#policy.predictions.of(key, now) !== undefined;
  }

  /** Starts as many runnable jobs as the concurrency allows; runs again if asked while running. */
  #pump(): void {
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    void this.#pumpOnce()
      .catch((error: unknown) => this.#logger.error('prefetch scheduling failed', { err: error }))
      .finally(() => {
        this.#pumping = false;
        if (this.#pumpAgain && !this.#stopping) {
          this.#pumpAgain = false;
          this.#pump();
        }
      });
  }

  async #pumpOnce(): Promise<void> {
    if (this.#stopping || !this.#settings.enabled) return;
    await this.#refreshSpace();
    const now = this.#now();
    const catalog = this.#options.library.catalog;
    const sources = new Map<string, CatalogEntry | undefined>();
    const pending = this.#queue.pending().map((job) => {
      const source = catalog.lookup(job.category, job.name);
      sources.set(job.key, source);
      const cached = this.#ledger.get(job.key);
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
      running: this.#queue.active().map((job) => ({ key: job.key, bytes: job.active!.source.size, copiedBytes: job.active!.copiedBytes })),
      cached: this.#cachedModels(),
      cacheBytes: this.#cachedBytes(),
      freeBytes: this.#space.freeBytes,
      totalBytes: this.#space.totalBytes,
      rules: { ...this.#settings, minFreeBytes: minFreeBytesOf(this.#settings.minFreeBytes, this.#space.totalBytes) },
      context: this.#policy.context(now),
    });
    for (const decision of decisions) {
      const job = this.#queue.get(decision.key);
      if (job === undefined || job.active) continue;
      switch (decision.action) {
        case 'done':
          this.#queue.remove(job.key);
          this.#saveQueueSoon();
          break;
        case 'drop':
          this.#dropJob(job, decision.code, decision.reason);
          break;
        case 'wait':
          if (job.waiting !== decision.reason) this.#logger.info(`${job.key}: ${decision.reason}`);
          job.waiting = decision.reason;
          break;
        case 'start': {
          for (const victim of decision.evict) {
            await this.#removeCopy(victim.key, `made room for ${job.key} (${decision.because ?? job.origin}); it was ${victim.reason}`, 'room');
          }
          this.#startCopy(job, sources.get(job.key)!);
          break;
        }
      }
    }
  }

  /** The cached models as the policy sees them, leaving out those being copied again right now. */
  #cachedModels(): CachedModel[] {
    const busy = new Set(this.#queue.active().map((job) => job.key));
    return this.#ledger
      .entries()
      .map((entry) => ({ key: `${entry.category}/${entry.name}`, bytes: entry.size, pinned: entry.pinned, cachedAt: entry.cachedAt }))
      .filter((entry) => !busy.has(entry.key));
  }

  /**
   * Brings the cache down to `toBytes`, or to the low-water mark, removing
   * the least valuable models first; with dryRun, only says what would go.
   * Pinned models and copies in progress are never removed.
   */
  async trim(options: { dryRun?: boolean; toBytes?: number } = {}): Promise<TrimResult> {
    while (this.#trimming) await this.#trimming.catch(() => undefined);
    const run = this.#trimOnce(options);
    this.#trimming = run;
    try {
      return await run;
    } finally {
      this.#trimming = undefined;
    }
  }

  async #trimOnce(options: { dryRun?: boolean; toBytes?: number }): Promise<TrimResult> {
    await this.#refreshSpace();
    const cacheBytes = this.#cachedBytes();
    const need = trimNeed({ cacheBytes, freeBytes: this.#space.freeBytes }, this.#trimSettings());
    const lowWaterBytes = this.#settings.maxBytes > 0 ? Math.floor(this.#settings.maxBytes * this.#settings.lowWater) : cacheBytes;
    const targetBytes = options.toBytes ?? (need.needed ? need.targetBytes : Math.min(cacheBytes, lowWaterBytes));
    const plan = trimPlan(this.#cachedModels(), targetBytes, this.#policy.context(this.#now()));
    const evicted: Array<{ category: string; name: string; bytes: number; reason: string }> = [];
    let freedBytes = 0;
    for (const victim of plan) {
      const slash = victim.key.indexOf('/');
      if (!options.dryRun) await this.#removeCopy(victim.key, `trimmed: least value per byte (${victim.reason})`, 'trim');
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
      this.#logger.info(`trimmed ${evicted.length} models, ${formatBytes(freedBytes)}`, { targetBytes, reason: need.needed ? need.reason : 'asked' });
      this.#pump();
    }
    return { evicted, freedBytes, targetBytes, dryRun: options.dryRun === true };
  }

  #trimSettings() {
    return {
      maxBytes: this.#settings.maxBytes,
      lowWater: this.#settings.lowWater,
      minFreeBytes: minFreeBytesOf(this.#settings.minFreeBytes, this.#space.totalBytes),
    };
  }

  /** Trims at once when a threshold is crossed (a lowered quota, other data filling the disk). */
  async #trimIfNeeded(): Promise<void> {
    const need = trimNeed({ cacheBytes: this.#cachedBytes(), freeBytes: this.#space.freeBytes }, this.#trimSettings());
    if (!need.needed || this.#trimming) return;
    this.#logger.info(need.reason);
    await this.trim();
  }

  #scheduleTrims(): void {
    this.#trimJob?.cancel();
    this.#trimJob = schedule.scheduleJob(this.#settings.trimSchedule, () => {
      void this.trim().catch((error: unknown) => this.#logger.error('the scheduled trim failed', { err: error }));
    });
  }

  /** Past runs from the usage history, so that values survive a restart. */
  loadRuns(runs: ReadonlyArray<{ at: number; keys: readonly string[] }>): void {
    for (const run of runs) this.#policy.recordRun(run.keys, run.at);
  }

  #startCopy(job: PrefetchJob, source: CatalogEntry): void {
    const controller = new AbortController();
    job.active = { controller, source, startedAt: this.#now(), copiedBytes: 0 };
    delete job.waiting;
    job.attempts += 1;
    this.#announce({ event: 'prefetch.started', key: job.key, bytes: source.size, source: source.path });
    this.#logger.info('copying to the SSD', { key: job.key, bytes: source.size, priority: job.priority, origin: job.origin });
    const request: CopyRequest = {
      source: source.path,
      expected: { size: source.size, mtimeMs: source.mtimeMs },
      category: source.category,
      name: source.name,
      verify: this.#settings.verify,
      signal: controller.signal,
      onProgress: (copied) => this.#progress(job, copied),
    };
    const copy = this.#options.copy ?? copyIntoCache;
    const bounds = this.#options.sourceBounds;
    const run = (bounds === undefined ? Promise.resolve(request) : bounds(source).then((sourceBounds) => Object.assign(request, { sourceBounds })))
      .then((bounded) => copy(this.tree, bounded))
      .then((result) => this.#finished(job, request, result))
      .catch((error: unknown) => this.#copyFailed(job, error))
      .finally(() => {
        this.#running.delete(run);
        this.#pump();
      });
    this.#running.add(run);
  }

  #progress(job: PrefetchJob, copied: number): void {
    const active = job.active;
    if (!active) return;
    active.copiedBytes = copied;
    const now = this.#now();
    const last = this.#lastProgress.get(job.key) ?? 0;
    if (now - last < PROGRESS_EVERY_MS && copied < active.source.size) return;
    this.#lastProgress.set(job.key, now);
    const seconds = (now - active.startedAt) / 1000;
    const bytesPerSecond = seconds > 0 ? Math.round(copied / seconds) : 0;
    this.#announce({
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
    const active = job.active!;
    delete job.active;
    this.#lastProgress.delete(job.key);
    const previous = this.#ledger.get(result.key);
    const entry = entryForCopy(request, result, this.#now(), previous);
    this.#ledger.set(job.pin ? { ...entry, pinned: true } : entry);
    this.#ledger.addBytesCopied(result.size);
    this.#completed += 1;
    if (this.#queue.get(job.key) === job) this.#queue.remove(job.key);
    this.#saveQueueSoon();
    const durationMs = Math.max(1, this.#now() - active.startedAt);
    this.#announce({
      event: 'prefetch.done',
      key: result.key,
      bytes: result.size,
      durationMs,
      bytesPerSecond: Math.round(result.size / (durationMs / 1000)),
      ...(result.sha256 === undefined ? {} : { sha256: result.sha256 }),
    });
    this.#logger.info('cached on the SSD', { key: result.key, bytes: result.size, ms: durationMs });
  }

  #copyFailed(job: PrefetchJob, error: unknown): void {
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
    const source = this.#options.library.catalog.lookup(job.category, job.name);
    let retryInMs: number | undefined;
    if (error instanceof NoSpaceError) {
      this.#setProblem('no-space', `the cache filesystem is full: copying ${job.key} failed; free space on it, or lower cache.maxBytes`);
      this.#noSpaceNeed = Math.min(this.#noSpaceNeed ?? Infinity, active?.source.size ?? 0);
      retryInMs = 60_000;
    } else if (error instanceof SourceMissingError || error instanceof SourceReadError) {
      if (source !== undefined && !source.available) {
        job.waiting = `the library folder of ${job.key} is unreachable; it is copied when the folder returns`;
        retryInMs = 0;
      } else if (source !== undefined) retryInMs = 5000 * job.attempts;
    } else if (error instanceof SourceChangedError || error instanceof VerifyError) {
      retryInMs = 2000 * job.attempts;
    }
    const retry = retryInMs !== undefined && job.attempts < MAX_ATTEMPTS && this.#queue.get(job.key) === job;
    if (retry) job.notBefore = this.#now() + retryInMs!;
    else this.#queue.remove(job.key);
    this.#saveQueueSoon();
    this.#announce({ event: 'prefetch.failed', key: job.key, code, message, retry });
    this.#logger.warn(`copy of ${job.key} failed${retry ? '; will retry' : ''}`, { code, reason: message });
    if (retry && retryInMs! > 0) setTimeout(() => this.#pump(), retryInMs).unref();
  }

  #dropJob(job: PrefetchJob, code: string, message: string): void {
    this.#queue.remove(job.key);
    this.#saveQueueSoon();
    this.#announce({ event: 'prefetch.failed', key: job.key, code, message, retry: false });
    this.#logger.info(`not copying ${job.key}: ${message}`);
  }

  /** A library file changed, appeared or went away: copies and running jobs of its key are checked. */
  async #onLibraryChange(entry: CatalogEntry): Promise<void> {
    const key = modelKey(entry.category, entry.name);
    if (key === undefined) return;
    const job = this.#queue.get(key);
    if (job?.active && job.active.source.path === entry.path) {
      const current = this.#options.library.catalog.lookup(entry.category, entry.name);
      if (current === undefined || current.path !== job.active.source.path || current.mtimeMs !== job.active.source.mtimeMs || current.size !== job.active.source.size) {
        job.active.abortReason = 'invalidated';
        job.active.controller.abort();
      }
    }
    try {
      await this.#revalidate(key, 'after a library change');
    } catch (error) {
      this.#logger.error('checking a cached copy against the library failed', { key, err: error });
    }
  }

  /**
   * Removes the cached copy of a key when it no longer matches the file
   * ComfyUI would otherwise load, and queues it again when it is still wanted.
   */
  async #revalidate(key: string, when: string): Promise<void> {
    const entry = this.#ledger.get(key);
    if (entry === undefined) return;
    const source = this.#options.library.catalog.lookup(entry.category, entry.name);
    if (source?.available && sameSource(entry, source)) return;
    if (source === undefined || !source.available) {
      // Without a reachable folder that lacks the file, nothing proves the copy stale (a NAS may just be away).
      if (this.#options.folderReachable(entry.sourcePath) !== true) return;
    }
    const gone = source === undefined || !source.available;
    const reason = gone ? 'its library file was removed' : 'its library file changed';
    await this.#removeCopy(key, reason, gone ? 'source_removed' : 'source_changed');
    this.#logger.info(`dropped the cached copy of ${key} ${when}: ${reason}`);
    if (source?.available && (entry.pinned || this.#wanted(key, this.#now()))) {
      this.request([{ category: entry.category, name: entry.name }], 'workflow', `${key} changed in the library`, entry.pinned);
    }
  }

  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#treeWork.catch(() => undefined).then(work);
    this.#treeWork = run;
    return run;
  }

  async #removeCopy(key: string, reason: string, cause: EvictionCause): Promise<number> {
    const removed = await this.#exclusive(() => removeCachedCopy(this.tree, this.#ledger, key, reason));
    this.#ledger.recordEviction();
    this.#logger.info(`removed ${key} from the SSD: ${reason}`, { bytes: removed.bytes });
    this.#announce({ event: 'cache.evicted', key, bytes: removed.bytes, reason, cause });
    return removed.bytes;
  }

  async #periodicCheck(): Promise<void> {
    try {
      for (const change of await this.#exclusive(() => detectRemovedFiles(this.tree, this.#ledger))) {
        this.#logger.warn(`${change.key}: ${change.reason}`);
        this.#announce({ event: 'cache.evicted', key: change.key, bytes: 0, reason: change.reason, cause: 'deleted_outside' });
      }
    } catch (error) {
      this.#logger.warn('checking the cached files failed', { err: messageOf(error) });
    }
    await this.#refreshSpace();
    await this.#trimIfNeeded().catch((error: unknown) => this.#logger.error('trimming failed', { err: error }));
    this.#warmUpIfIdle();
    this.#pump();
  }

  /**
   * With nothing queued or copying, and no generation in the last minutes
   * (a copy would compete with ComfyUI for the disk), asks for what history
   * says runs next, at the lowest priority: admission control decides.
   */
  #warmUpIfIdle(): void {
    const now = this.#now();
    if (!this.#settings.enabled || this.#stopping) return;
    if (!warmupDue(now, { queuedJobs: this.#queue.size, lastWarmup: this.#lastWarmup, lastRunAt: this.#policy.usage.lastRunAt })) return;
    const candidates = warmupCandidates(this.#policy.usage, now, (key) => this.#ledger.has(key));
    if (candidates.length === 0) return;
    this.#lastWarmup = now;
    for (const { keys, origin } of warmupRequests(candidates)) {
      const models = keys.map((key) => parseModelKey(key)).filter((model): model is { category: string; name: string } => model !== undefined);
      this.request(models, 'warm', origin);
    }
  }

  #setProblem(id: string, message?: string): void {
    const changed = message === undefined ? this.#problems.delete(id) : this.#problems.get(id) !== message;
    if (message !== undefined) this.#problems.set(id, message);
    if (changed) this.emit('problems');
  }

  #saveQueueSoon(): void {
    if (this.#saveTimer !== undefined || this.#stopping) return;
    this.#saveTimer = setTimeout(() => {
      this.#saveTimer = undefined;
      void this.#saveQueue();
    }, 200);
    this.#saveTimer.unref();
  }

  /**
   * Writes the queue now, so that a request answered over the socket
   * survives a kill that comes right after the answer. Saves run one after
   * another: an older snapshot never lands over a newer one.
   */
  async persistQueue(): Promise<void> {
    clearTimeout(this.#saveTimer);
    this.#saveTimer = undefined;
    await this.#saveQueue();
  }

  #saveQueue(): Promise<void> {
    this.#queueSaving = this.#queueSaving
      .then(() => this.#queue.save(this.#queueFile))
      .catch((error: unknown) => this.#logger.warn('could not save the prefetch queue', { err: error }));
    return this.#queueSaving;
  }
}

/** `22.0 MB / 5.0 GB`: each amount in its own unit, so that a small cache does not read as 0.0. */
function usage(used: number, quota: number): string {
  return `${formatBytes(used)} / ${formatBytes(quota)}`;
}
