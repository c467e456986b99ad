import { EventEmitter } from 'node:events';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { PrefetchPriority } from '../core/admission.js';
import type { CatalogEntry } from '../core/catalog-view.js';
import { modelKey } from '../core/categories.js';
import type { Logger } from '../log/logger.js';
import { CacheContext } from './cache-context.js';
import type { CacheEvent, PrefetchOutcome, RunCounted } from './cache-events.js';
import { CacheRequests, type EvictOptions, type ModelRef, type RequestModels } from './cache-requests.js';
import type { CacheSettings, CatalogFeed } from './cache-settings.js';
import type { CacheTree } from './cache-tree.js';
import { CacheTrims, type TrimOptions, type TrimResult } from './cache-trims.js';
import { cacheListing, cacheStats, cacheStatus, cacheSummary } from './cache-views.js';
import type { CopyRequest, CopyResult } from './copier.js';
import { CopyRemovals } from './copy-removals.js';
import { CopyRuns } from './copy-runs.js';
import { freeSpace as statFreeSpace, type FreeSpace } from './free-space.js';
import { IdleWarmup } from './idle-warmup.js';
import { Ledger } from './ledger.js';
import { PrefetchPump } from './prefetch-pump.js';
import { PrefetchQueue } from './prefetch-queue.js';
import { QueueSaver } from './queue-saver.js';
import { reconcileCache } from './recovery.js';
import { Revalidation } from './revalidation.js';
import { SpaceWatch } from './space-watch.js';

export type { CacheSettings, CatalogFeed } from './cache-settings.js';
export type { TrimResult } from './cache-trims.js';

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

/**
 * The SSD cache as a service, the one face the daemon sees: it takes
 * prefetch requests, decides what may be copied and when there is room,
 * runs the copies with their progress, keeps the ledger, drops copies whose
 * library file changed, and counts hits and misses of real runs. Each of
 * those jobs is a part of its own over one shared CacheContext; this class
 * builds them, starts and stops them, and passes the daemon's calls on.
 */
export class CacheService extends EventEmitter<CacheServiceEvents> {
  readonly tree: CacheTree;
  readonly #options: CacheServiceOptions;
  readonly #context: CacheContext;
  readonly #queueFile: string;
  readonly #saver: QueueSaver;
  readonly #space: SpaceWatch;
  readonly #removals: CopyRemovals;
  readonly #copies: CopyRuns;
  readonly #pump: PrefetchPump;
  readonly #trims: CacheTrims;
  readonly #requests: CacheRequests;
  readonly #revalidation: Revalidation;
  readonly #warmup: IdleWarmup;
  #timer?: NodeJS.Timeout;

  constructor(options: CacheServiceOptions) {
    super();
    this.#options = options;
    const context = new CacheContext({
      settings: options.settings,
      library: options.library,
      logger: options.logger,
      now: options.now ?? Date.now,
      signals: {
        announce: (event) => this.emit('event', event),
        queueChanged: () => this.#saver.soon(),
        wake: () => this.#pump.wake(),
      },
    });
    this.#context = context;
    this.tree = context.tree;
    this.#queueFile = path.join(options.stateDir, 'prefetch-queue.json');
    this.#saver = new QueueSaver(context, this.#queueFile);
    this.#space = new SpaceWatch(context, options.freeSpace ?? statFreeSpace, () => this.emit('problems'));
    this.#removals = new CopyRemovals(context);
    this.#copies = new CopyRuns(context, {
      space: this.#space,
      ...(options.copy ? { copy: options.copy } : {}),
      ...(options.sourceBounds ? { sourceBounds: options.sourceBounds } : {}),
    });
    this.#pump = new PrefetchPump(context, { space: this.#space, removals: this.#removals, copies: this.#copies });
    this.#trims = new CacheTrims(context, this.#space, this.#removals);
    this.#requests = new CacheRequests(context, this.#removals, (run) => this.emit('run', run));
    const request: RequestModels = (models, priority, origin, pin) => this.#requests.request(models, priority, origin, pin);
    this.#revalidation = new Revalidation(context, { removals: this.#removals, folderReachable: options.folderReachable, request });
    this.#warmup = new IdleWarmup(context, request);
  }

  get settings(): CacheSettings {
    return this.#context.settings;
  }

  /** Recovers the tree and the ledger, restores the saved queue, then starts copying. */
  async start(): Promise<void> {
    const context = this.#context;
    const { stateDir, library } = this.#options;
    const logger = context.logger;
    await this.tree.ensure();
    await mkdir(stateDir, { recursive: true });
    context.ledger = await Ledger.load(path.join(stateDir, 'ledger.json'), logger);
    const catalog = context.catalog;
    await reconcileCache({
      tree: this.tree,
      ledger: context.ledger,
      lookupSource: (category, name) => {
        const entry = catalog.lookup(category, name);
        return entry?.available ? { path: entry.path, size: entry.size, mtimeMs: entry.mtimeMs } : undefined;
      },
      verify: context.settings.verify,
      logger,
    });
    for (const entry of context.ledger.entries()) await this.#revalidation.revalidate(modelKey(entry.category, entry.name)!, 'at start');
    context.queue = await PrefetchQueue.load(this.#queueFile, logger);
    if (context.queue.all().length > 0) logger.info('resuming saved prefetch jobs', { jobs: context.queue.all().length });

    // onLibraryChange logs its own failures; the catch is the net for anything it did not foresee.
    const onEntry = (entry: CatalogEntry) =>
      void this.#revalidation
        .onLibraryChange(entry)
        .catch((error: unknown) => logger.error('handling a library change failed', { key: modelKey(entry.category, entry.name), err: error }));
    library.on('added', onEntry);
    library.on('removed', onEntry);
    library.on('changed', onEntry);
    library.on('available', () => this.#pump.wake());
    // Each step of the check logs its own failure; the catch is the net for anything they did not foresee.
    this.#timer = setInterval(
      () => void this.#periodicCheck().catch((error: unknown) => logger.error('the periodic cache check failed', { err: error })),
      this.#options.checkIntervalMs ?? 30_000,
    );
    this.#timer.unref();
    await this.#space.refresh();
    this.#trims.schedule();
    await this.#trims.trimIfNeeded();
    this.#pump.wake();
  }

  /** Cancels running copies (their staging files are removed), saves the queue and the ledger. */
  async stop(): Promise<void> {
    const context = this.#context;
    if (context.stopping) return;
    context.stopping = true;
    this.#trims.cancelSchedule();
    clearInterval(this.#timer);
    this.#saver.cancelSoon();
    await this.#copies.stopAll();
    await this.#saver.now();
    // The ledger is missing when start failed before loading it.
    await context.ledger?.close();
  }

  reconfigure(settings: CacheSettings): void {
    const context = this.#context;
    const rescheduled = settings.trimSchedule !== context.settings.trimSchedule;
    context.settings = { ...settings, root: context.settings.root };
    if (rescheduled) this.#trims.schedule();
    void this.#trims.trimIfNeeded().catch((error: unknown) => context.logger.error('trimming failed', { err: error }));
    this.#pump.wake();
  }

  /** Asks for models to be on the SSD; each gets an answer saying what happens to it and why. */
  request(models: readonly ModelRef[], priority: PrefetchPriority, origin: string, pin = false): PrefetchOutcome[] {
    return this.#requests.request(models, priority, origin, pin);
  }

  /** Counts a generation's hits and misses, and queues the misses. */
  recordRun(models: readonly ModelRef[], startedAt: number, origin: string): { hits: number; misses: number } {
    return this.#requests.recordRun(models, startedAt, origin);
  }

  pin(key: string): PrefetchOutcome {
    return this.#requests.pin(key);
  }

  unpin(key: string): { key: string; pinned: false } {
    return this.#requests.unpin(key);
  }

  /** Whether the model is cached, or queued or copying. */
  holds(key: string): boolean {
    return this.#requests.holds(key);
  }

  /** Removes a model from the SSD and the queue; a pinned one only with `force`. */
  evict(key: string, options: EvictOptions = {}): Promise<{ key: string; bytes: number }> {
    return this.#requests.evict(key, options);
  }

  /** Removes the least valuable models down to `toBytes` or the low-water mark; with dryRun, only says what would go. */
  trim(options: TrimOptions = {}): Promise<TrimResult> {
    return this.#trims.trim(options);
  }

  /** Past runs from the usage history, so that values survive a restart. */
  loadRuns(runs: ReadonlyArray<{ at: number; keys: readonly string[] }>): void {
    for (const run of runs) this.#context.policy.recordRun(run.keys, run.at);
  }

  /** Writes the queue now: a request answered over the socket survives a kill right after the answer. */
  persistQueue(): Promise<void> {
    return this.#saver.now();
  }

  /** The cached, copying and queued models, for `arenactl ls`. */
  list() {
    return cacheListing(this.#context);
  }

  /** Hits, misses, cache use and prefetch counters, for `arenactl stats`. */
  stats() {
    return cacheStats(this.#context, this.#copies);
  }

  /** The cache and prefetch sections of `status`. */
  status() {
    return cacheStatus(this.#context, this.#copies);
  }

  /** The one line systemd shows. */
  summary(): string {
    return cacheSummary(this.#context);
  }

  /** What status lists as the cache's problems (a full filesystem). */
  problems(): string[] {
    return this.#space.problems();
  }

  /** Every check interval: files deleted by hand, the free space, a trim if needed, a warm-up if idle, and the queue. */
  async #periodicCheck(): Promise<void> {
    await this.#removals.findChangedOutside();
    await this.#space.refresh();
    await this.#trims.trimIfNeeded().catch((error: unknown) => this.#context.logger.error('trimming failed', { err: error }));
    this.#warmup.runIfIdle();
    this.#pump.wake();
  }
}
