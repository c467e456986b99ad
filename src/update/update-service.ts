/**
 * The model updater: the manifest's entries checked against their hubs,
 * updates downloaded inside the update windows (or at once on `update run`),
 * verified, swapped into the library atomically and recorded, with rollback.
 * The daemon runs one with the windows; `arenactl` runs one for a single
 * command when no daemon answers.
 *
 * This class is the facade the daemon, its socket commands and `arenactl`
 * use; the work is done by its parts: the manifest (tracked-manifest.ts),
 * the lock (updater-lock.ts), the windows (update-windows.ts), checks
 * (update-checks.ts), runs and their downloads (update-runs.ts,
 * download-tracker.ts), history (history-report.ts) and rollback.
 *
 * Hubs are not trusted to keep tokens to themselves: an error text or a
 * version name may echo the Authorization header. So everything this class
 * hands out (results, status, events) passes through redactJson, and the
 * history and staging records are redacted before they are written.
 */
import { EventEmitter } from 'node:events';
import { ArenaError } from '../core/arena-error.js';
import type { Credentials } from '../config/credentials.js';
import type { Logger } from '../log/logger.js';
import { redactJson, registerSecret } from '../log/redact.js';
import { DownloadTracker } from './download-tracker.js';
import { PausedError } from './errors.js';
import { HashCache } from './hash-cache.js';
import { historyReport } from './history-report.js';
import { hubClients, type HubClients } from './hub-clients.js';
import type { FetchFunction } from './hub-http.js';
import { filesToIdentify, identifyFiles } from './identify-files.js';
import type { UpdateLibrary } from './locate-target.js';
import { DEFAULT_KEEP } from './manifest.js';
import type { RateLimitPolicy } from './rate-limit.js';
import { rollbackTarget } from './rollback-target.js';
import { sleep, type Sleep } from './sleep.js';
import { splitTarget, targetKey, TrackedManifest } from './tracked-manifest.js';
import { UpdateChecks } from './update-checks.js';
import { systemClock, type UpdateClock } from './update-clock.js';
import type { UpdateContext } from './update-context.js';
import { UpdateHistory } from './update-history.js';
import type { HistoryResult, IdentifyResult, RollbackResult, UpdateReport, UpdatesStatus } from '../control/contract/update.js';
import type { UpdateEvent } from '../control/contract/events.js';
import { UpdateRuns, type Trigger } from './update-runs.js';
import type { UpdateSettings } from './update-settings.js';
import { UpdateWindows, windowsView } from './update-windows.js';
import { UpdaterLock, type LockMode } from './updater-lock.js';

export type { UpdateSettings } from './update-settings.js';

export interface UpdateServiceOptions {
  readonly settings: UpdateSettings;
  readonly credentials: Credentials;
  readonly stateDir: string;
  /** The library's folders in lookup order and its models (the daemon's catalog, or a one-shot one). */
  readonly library: () => UpdateLibrary;
  /** Drops the SSD cache's copy of a model key; a no-op when there is none. */
  readonly invalidate: (key: string) => Promise<void>;
  readonly logger: Logger;
  /** `arenad` or `arenactl`: named in the lock, for the message another updater gets. */
  readonly holder: string;
  readonly clock?: UpdateClock;
  readonly fetch?: FetchFunction;
  readonly sleep?: Sleep;
  readonly backoff?: RateLimitPolicy;
}

export interface StartOptions {
  /** Open and close the update windows (the daemon); false for a one-shot command. */
  readonly schedule: boolean;
  /** The update lock, for a service that may change the library (updater-lock.ts). */
  readonly lock: LockMode;
}

interface ServiceEvents {
  event: [event: UpdateEvent];
  /** The problems (manifest mistakes, a lock another updater holds) changed. */
  problems: [];
}

export class UpdateService extends EventEmitter<ServiceEvents> {
  readonly #options: UpdateServiceOptions;
  readonly #clock: UpdateClock;
  readonly #sleep: Sleep;
  readonly #history: UpdateHistory;
  readonly #stop = new AbortController();
  readonly #manifest: TrackedManifest;
  readonly #lock: UpdaterLock;
  readonly #windows: UpdateWindows;
  readonly #checks: UpdateChecks;
  readonly #downloads: DownloadTracker;
  readonly #runs: UpdateRuns;
  #settings: UpdateSettings;
  #hubs: HubClients;
  #hashes: HashCache | undefined;

  constructor(options: UpdateServiceOptions) {
    super();
    this.#options = options;
    const { logger } = options;
    this.#clock = options.clock ?? systemClock;
    this.#sleep = options.sleep ?? sleep;
    this.#settings = options.settings;
    // The service may be handed tokens that were never loaded through loadCredentials (tests, embedders).
    registerSecret(options.credentials.hfToken);
    registerSecret(options.credentials.civitaiToken);
    this.#history = new UpdateHistory(options.stateDir, logger);
    this.#hubs = this.#clients(options.settings);
    const emit = (event: UpdateEvent) => this.#emit(event);
    const now = () => this.#clock.now();
    const context = () => this.#context();
    this.#manifest = new TrackedManifest(logger, () => this.emit('problems'));
    this.#lock = new UpdaterLock(options.stateDir, options.holder, logger, () => this.emit('problems'));
    this.#windows = new UpdateWindows({ clock: this.#clock, logger, emit, run: (signal) => this.run([], 'window', signal) });
    this.#checks = new UpdateChecks({ context, logger, emit, now });
    this.#downloads = new DownloadTracker(now, logger, emit);
    this.#runs = new UpdateRuns({
      context,
      checks: this.#checks,
      downloads: this.#downloads,
      settings: () => this.#settings,
      sleep: this.#sleep,
      logger,
      emit,
      stopped: this.#stop.signal,
    });
  }

  async start(options: StartOptions): Promise<void> {
    await this.#lock.take(options.lock);
    this.#hashes = await HashCache.open(this.#options.stateDir, this.#options.logger);
    await this.#manifest.load(this.#settings.manifest);
    await this.#downloads.findPaused(this.#options.library(), this.#manifest.entries);
    if (options.schedule) this.#windows.start(this.#settings.windows);
  }

  /** Pauses downloads (their partial files stay), ends the windows, releases the lock. */
  async stop(): Promise<void> {
    this.#windows.stop();
    this.#stop.abort(new PausedError('the updater is stopping', 0));
    await Promise.allSettled([this.#runs.settled(), this.#windows.run]);
    await this.#lock.release();
  }

  /** A reload: new endpoints, manifest or windows take effect at once. */
  async reconfigure(settings: UpdateSettings): Promise<void> {
    const previous = this.#settings;
    this.#settings = settings;
    if (settings.hfEndpoint !== previous.hfEndpoint || settings.civitaiEndpoint !== previous.civitaiEndpoint) this.#hubs = this.#clients(settings);
    await this.#manifest.load(settings.manifest);
    if (settings.windows !== previous.windows) this.#windows.reschedule(settings.windows);
  }

  problems(): string[] {
    const waiting = this.#lock.problem();
    return redactJson([...this.#manifest.problems, ...(waiting === undefined ? [] : [waiting])]);
  }

  /** Compares each entry (or the named ones) with its hub; changes nothing. */
  async check(targets: readonly string[] = []): Promise<UpdateReport> {
    const { entries, results } = await this.#manifest.select(this.#settings.manifest, targets);
    const checked = await this.#checks.checkAll(entries, results, this.#stop.signal);
    return redactJson({ entries: this.#manifest.inManifestOrder(checked) });
  }

  /**
   * Installs what is available now, whatever the windows say. Versions held
   * back by a rollback are installed only when their target is named.
   */
  async run(targets: readonly string[] = [], trigger: Trigger = 'manual', signal?: AbortSignal): Promise<UpdateReport> {
    this.#lock.throwIfWaiting();
    const { entries, results } = await this.#manifest.select(this.#settings.manifest, targets);
    const done = await this.#runs.runAll(entries, results, { trigger, explicit: targets.length > 0, ...(signal === undefined ? {} : { signal }) });
    return redactJson({ entries: this.#manifest.inManifestOrder(done) });
  }

  async rollback(target: string, to?: string): Promise<RollbackResult> {
    this.#lock.throwIfWaiting();
    const key = targetKey(target);
    const entry = this.#manifest.find(key);
    // A download of this target must not land on top of the rollback.
    await this.#runs.finished(key);
    const result = await rollbackTarget(this.#context(), {
      target: key,
      ...splitTarget(key),
      ...(entry?.root === undefined ? {} : { root: entry.root }),
      keep: entry?.keep ?? DEFAULT_KEEP,
      ...(to === undefined ? {} : { to }),
    });
    this.#checks.forget(key);
    this.#emit({ event: 'update.rolledback', target: key, from: result.from?.sha256 ?? null, to: result.to.sha256 });
    return redactJson(result);
  }

  /** The history, oldest first, and the versions kept for rollback. */
  async history(target?: string): Promise<HistoryResult> {
    const key = target === undefined ? undefined : targetKey(target);
    return redactJson(await historyReport(this.#options.library(), this.#history, this.#manifest.entries, key));
  }

  /** What local files are, per CivitAI; by default every library model the manifest does not track. */
  async identify(targets: readonly string[] = []): Promise<IdentifyResult> {
    if (targets.length === 0) await this.#manifest.load(this.#settings.manifest);
    const files = await filesToIdentify(this.#options.library(), targets, this.#manifest.entries);
    return redactJson({ files: await identifyFiles(this.#context(), files, this.#stop.signal) });
  }

  status(): UpdatesStatus {
    const { manifest, windows } = this.#settings;
    const { hfToken, civitaiToken } = this.#options.credentials;
    return redactJson({
      manifest: manifest || null,
      windows: windows || null,
      tracked: this.#manifest.entries.length,
      problems: this.problems(),
      credentials: { hf: hfToken !== undefined, civitai: civitaiToken !== undefined },
      ...windowsView(windows, this.#clock.now()),
      running: this.#runs.running,
      lastCheck: this.#checks.lastCheck,
      pending: this.#checks.pending(),
      downloads: this.#downloads.list(),
      installed: this.#runs.installed,
      failed: this.#runs.failed,
    });
  }

  /** For the daemon's one-line summary: empty while nothing happens. */
  summary(): string {
    const active = this.#downloads.active();
    if (active !== undefined) return `updating ${active.target} ${active.percent}%`;
    const pending = this.#checks.pending().length;
    return pending > 0 ? `${pending} update${pending === 1 ? '' : 's'} pending` : '';
  }

  #emit(event: UpdateEvent): void {
    this.emit('event', redactJson(event));
  }

  #clients(settings: UpdateSettings): HubClients {
    const { credentials, logger, fetch, backoff } = this.#options;
    return hubClients(settings, { credentials, logger, sleep: this.#sleep, ...(fetch ? { fetch } : {}), ...(backoff ? { backoff } : {}) });
  }

  #context(): UpdateContext {
    if (this.#hashes === undefined) throw new ArenaError('E_STARTING', 'the updater is still starting; try again in a moment');
    return {
      library: this.#options.library(),
      hashes: this.#hashes,
      history: this.#history,
      hf: this.#hubs.hf,
      civitai: this.#hubs.civitai,
      invalidate: this.#options.invalidate,
      logger: this.#options.logger,
      now: () => this.#clock.now(),
    };
  }
}
