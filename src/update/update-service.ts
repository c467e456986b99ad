/**
 * The model updater: the manifest's entries checked against their hubs,
 * updates downloaded inside the update windows (or at once on `update run`),
 * verified, swapped into the library atomically and recorded, with rollback.
 * The daemon runs one with the windows; `arenactl` runs one for a single
 * command when no daemon answers.
 *
 * Hubs are not trusted to keep tokens to themselves: an error text or a
 * version name may echo the Authorization header. So everything this class
 * hands out (results, status, events) passes through redactJson, and the
 * history and staging records are redacted before they are written.
 */
import { EventEmitter } from 'node:events';
import { ArenaError, messageOf } from '../core/arena-error.js';
import { modelKey, parseModelKey } from '../core/categories.js';
import { parseUpdateWindows, type UpdateWindow } from '../core/update-window.js';
import type { Credentials } from '../config/credentials.js';
import type { Logger } from '../log/logger.js';
import { redactJson, registerSecret } from '../log/redact.js';
import { CivitaiClient } from './civitai-client.js';
import { NoManifestError, NotTrackedError, PausedError, TargetError, UpdaterLockedError } from './errors.js';
import { HashCache } from './hash-cache.js';
import { HfClient } from './hf-client.js';
import { HubHttp, type FetchFunction } from './hub-http.js';
import { sleep, type Sleep } from './sleep.js';
import { identifyFiles, type LocalFile } from './identify-files.js';
import { inspectEntry, type Inspection } from './inspect-entry.js';
import { installUpdate } from './install-update.js';
import { locateTarget, type UpdateLibrary } from './locate-target.js';
import { DEFAULT_KEEP, describeProblem, describeSource, readManifest, type Manifest, type ManifestEntry } from './manifest.js';
import type { RateLimitPolicy } from './rate-limit.js';
import { rollbackTarget, sourceOf, versionOf } from './rollback-target.js';
import { listStaged, pruneStaging } from './staging.js';
import { systemClock, type UpdateClock } from './update-clock.js';
import type { UpdateContext } from './update-context.js';
import { UpdateHistory } from './update-history.js';
import type {
  DownloadState,
  HistoryResult,
  IdentifyResult,
  PendingUpdate,
  RollbackResult,
  UpdateEntryResult,
  UpdateEvent,
  UpdateReport,
  UpdatesStatus,
} from './update-results.js';
import { acquireUpdaterLock } from './updater-lock.js';
import type { PidFileLock } from '../lock/pid-file-lock.js';
import { listKept, versionsDirOf } from './versions.js';
import { WindowScheduler } from './window-scheduler.js';
import { nextWindow, windowAt, type WindowSpan } from './window-calendar.js';
import type { UpdateSettings } from './update-settings.js';

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
  /**
   * The update lock, for a service that may change the library: `require`
   * fails when another updater holds it (a one-shot command); `wait` starts
   * anyway and takes it once free (the daemon, which must not refuse to start
   * while an arenactl finishes), refusing runs and rollbacks until then.
   */
  readonly lock: 'require' | 'wait' | 'none';
}

/** How often a daemon whose lock another updater holds tries again. */
const LOCK_RETRY_MS = 30_000;

interface ServiceEvents {
  event: [event: UpdateEvent];
  /** The problems (manifest mistakes) changed. */
  problems: [];
}

interface DownloadProgress extends DownloadState {
  readonly startedAt: number;
  readonly resumeFrom: number;
  readonly lastEmitAt: number;
}

type Trigger = 'window' | 'manual';

const PROGRESS_INTERVAL_MS = 1000;

function iso(time: number): string {
  return new Date(time).toISOString();
}

function spanView(span: WindowSpan | undefined): { opensAt: string; closesAt: string } | null {
  return span === undefined ? null : { opensAt: iso(span.opensAt), closesAt: iso(span.closesAt) };
}

function errorOf(error: unknown): { code: string; message: string } {
  return error instanceof ArenaError ? { code: error.code, message: error.message } : { code: 'E_INTERNAL', message: `internal error: ${messageOf(error)}` };
}

function parseWindows(text: string): UpdateWindow[] {
  if (text.trim() === '') return [];
  const parsed = parseUpdateWindows(text);
  // The config format has validated the value already; a bad one here means no windows.
  return parsed.ok ? parsed.windows : [];
}

/** `checkpoints/x.safetensors` as typed, in the manifest's normalised form. */
function keyOf(text: string): string | undefined {
  const parsed = parseModelKey(text);
  return parsed === undefined ? undefined : modelKey(parsed.category, parsed.name);
}

function targetKey(text: string): string {
  const key = keyOf(text);
  if (key === undefined) throw new TargetError(`"${text}" is not CATEGORY/NAME inside the library, such as loras/style.safetensors`);
  return key;
}

export class UpdateService extends EventEmitter<ServiceEvents> {
  readonly #options: UpdateServiceOptions;
  readonly #logger: Logger;
  readonly #clock: UpdateClock;
  readonly #sleep: Sleep;
  readonly #history: UpdateHistory;
  readonly #stop = new AbortController();
  readonly #inFlight = new Map<string, Promise<UpdateEntryResult>>();
  readonly #pending = new Map<string, PendingUpdate>();
  readonly #downloads = new Map<string, DownloadProgress>();
  #settings: UpdateSettings;
  #hf: HfClient;
  #civitai: CivitaiClient;
  #hashes: HashCache | undefined;
  #manifest: Manifest | undefined;
  #manifestError: string | undefined;
  #problems: string[] = [];
  #scheduler: WindowScheduler | undefined;
  /** Whether this service opens the windows (the daemon's does; a one-shot command's does not). */
  #scheduling = false;
  #window: AbortController | undefined;
  #windowRun: Promise<unknown> | undefined;
  #lock: PidFileLock | undefined;
  /** Why the lock is not held yet, while a waiting service retries. */
  #lockWait: { readonly error: UpdaterLockedError; readonly timer: NodeJS.Timeout } | undefined;
  #lastCheck: UpdatesStatus['lastCheck'] = null;
  #installed = 0;
  #failed = 0;

  constructor(options: UpdateServiceOptions) {
    super();
    this.#options = options;
    this.#logger = options.logger;
    this.#clock = options.clock ?? systemClock;
    this.#sleep = options.sleep ?? sleep;
    this.#settings = options.settings;
    // The service may be handed tokens that were never loaded through loadCredentials (tests, embedders).
    registerSecret(options.credentials.hfToken);
    registerSecret(options.credentials.civitaiToken);
    this.#history = new UpdateHistory(options.stateDir, options.logger);
    [this.#hf, this.#civitai] = this.#clients(options.settings);
  }

  async start(options: StartOptions): Promise<void> {
    if (options.lock === 'require') this.#lock = await acquireUpdaterLock(this.#options.stateDir, this.#options.holder);
    if (options.lock === 'wait') await this.#takeLock();
    this.#hashes = await HashCache.open(this.#options.stateDir, this.#logger);
    await this.#loadManifest();
    await this.#findPausedDownloads();
    this.#scheduling = options.schedule;
    if (options.schedule) this.#startScheduler();
  }

  /** Pauses downloads (their partial files stay), ends the windows, releases the lock. */
  async stop(): Promise<void> {
    this.#scheduling = false;
    this.#scheduler?.stop();
    clearInterval(this.#lockWait?.timer);
    this.#lockWait = undefined;
    this.#stop.abort(new PausedError('the updater is stopping', 0));
    await Promise.allSettled([...this.#inFlight.values(), this.#windowRun]);
    await this.#lock?.release();
    this.#lock = undefined;
  }

  /** A reload: new endpoints, manifest or windows take effect at once. */
  async reconfigure(settings: UpdateSettings): Promise<void> {
    const previous = this.#settings;
    this.#settings = settings;
    if (settings.hfEndpoint !== previous.hfEndpoint || settings.civitaiEndpoint !== previous.civitaiEndpoint) {
      [this.#hf, this.#civitai] = this.#clients(settings);
    }
    await this.#loadManifest();
    if (settings.windows !== previous.windows && this.#scheduling) {
      this.#scheduler?.stop();
      this.#closeWindow();
      this.#startScheduler();
    }
  }

  problems(): string[] {
    return redactJson([...this.#problems, ...(this.#lockWait === undefined ? [] : [`updates wait: ${this.#lockWait.error.message}`])]);
  }

  /** Compares each entry (or the named ones) with its hub; changes nothing. */
  async check(targets: readonly string[] = []): Promise<UpdateReport> {
    const { entries, results } = await this.#select(targets);
    let available = 0;
    let errors = results.length;
    for (const entry of entries) {
      try {
        const inspection = await this.#inspect(entry, this.#stop.signal);
        this.#notePending(inspection);
        if (inspection.status === 'available') available += 1;
        results.push(this.#inspected(inspection));
      } catch (error) {
        errors += 1;
        this.#logger.warn('update check failed', { target: entry.target, err: messageOf(error) });
        results.push({ target: entry.target, status: 'error', error: errorOf(error), source: describeSource(entry.source) });
      }
    }
    this.#lastCheck = { at: iso(this.#clock.now()), available, errors };
    return redactJson({ entries: this.#inManifestOrder(results) });
  }

  /**
   * Installs what is available now, whatever the windows say. Versions held
   * back by a rollback are installed only when their target is named.
   */
  async run(targets: readonly string[] = [], trigger: Trigger = 'manual', signal?: AbortSignal): Promise<UpdateReport> {
    if (this.#lockWait !== undefined) throw this.#lockWait.error;
    const { entries, results } = await this.#select(targets);
    const explicit = targets.length > 0;
    for (const entry of entries) {
      if (signal?.aborted) break;
      results.push(await this.#once(entry, trigger, explicit, signal));
    }
    if (!explicit && !signal?.aborted) await this.#pruneStaging(entries, results);
    return redactJson({ entries: this.#inManifestOrder(results) });
  }

  async rollback(target: string, to?: string): Promise<RollbackResult> {
    if (this.#lockWait !== undefined) throw this.#lockWait.error;
    const key = targetKey(target);
    const entry = this.#manifest?.entries.find((candidate) => candidate.target === key);
    // A download of this target must not land on top of the rollback.
    await this.#inFlight.get(key)?.catch(() => undefined);
    const slash = key.indexOf('/');
    const result = await rollbackTarget(this.#context(), {
      target: key,
      category: key.slice(0, slash),
      name: key.slice(slash + 1),
      ...(entry?.root === undefined ? {} : { root: entry.root }),
      keep: entry?.keep ?? DEFAULT_KEEP,
      ...(to === undefined ? {} : { to }),
    });
    this.#pending.delete(key);
    this.#emit({ event: 'update.rolledback', target: key, from: result.from?.sha256 ?? null, to: result.to.sha256 });
    return redactJson(result);
  }

  /** The history, oldest first, and the versions kept for rollback. */
  async history(target?: string): Promise<HistoryResult> {
    const key = target === undefined ? undefined : targetKey(target);
    const records = await this.#history.list(key);
    const targets = key !== undefined ? [key] : [...new Set([...(this.#manifest?.entries.map((entry) => entry.target) ?? []), ...records.map((record) => record.target)])];
    const all = key === undefined ? records : await this.#history.list();
    const kept: Array<HistoryResult['kept'][number]> = [];
    for (const name of targets) {
      const entry = this.#manifest?.entries.find((candidate) => candidate.target === name);
      const slash = name.indexOf('/');
      const located = await locateTarget(this.#options.library(), {
        category: name.slice(0, slash),
        name: name.slice(slash + 1),
        ...(entry?.root === undefined ? {} : { root: entry.root }),
      }).catch(() => undefined);
      if (located === undefined) continue;
      const versions = await listKept(versionsDirOf(located.arenaDir, name));
      if (versions.length === 0) continue;
      kept.push({
        target: name,
        versions: versions.map((version) => {
          const hubVersion = versionOf(sourceOf(all, version.sha256));
          return {
            sha256: version.sha256,
            bytes: version.bytes,
            keptAt: iso(version.keptAt),
            file: version.file,
            ...(hubVersion === undefined ? {} : { version: hubVersion }),
          };
        }),
      });
    }
    return redactJson({ records, kept });
  }

  /** What local files are, per CivitAI; by default every library model the manifest does not track. */
  async identify(targets: readonly string[] = []): Promise<IdentifyResult> {
    const library = this.#options.library();
    const files: LocalFile[] = [];
    if (targets.length > 0) {
      for (const text of targets) {
        const key = targetKey(text);
        const slash = key.indexOf('/');
        const located = await locateTarget(library, { category: key.slice(0, slash), name: key.slice(slash + 1) });
        if (located.current === undefined) throw new TargetError(`${key} is not in the library`);
        files.push({ target: key, path: located.path, bytes: located.current.size });
      }
    } else {
      await this.#loadManifest().catch(() => undefined);
      const tracked = new Set(this.#manifest?.entries.map((entry) => entry.target) ?? []);
      for (const entry of library.entries()) {
        const key = modelKey(entry.category, entry.name);
        if (key !== undefined && entry.available && !tracked.has(key)) files.push({ target: key, path: entry.path, bytes: entry.size });
      }
    }
    return redactJson({ files: await identifyFiles(this.#context(), files, this.#stop.signal) });
  }

  status(): UpdatesStatus {
    const { manifest, windows } = this.#settings;
    // From the calendar, so that a one-shot arenactl (which schedules nothing) shows the windows too.
    const calendar = parseWindows(windows);
    const now = this.#clock.now();
    const current = windowAt(calendar, now);
    return redactJson({
      manifest: manifest || null,
      windows: windows || null,
      tracked: this.#manifest?.entries.length ?? 0,
      problems: this.problems(),
      credentials: { hf: this.#options.credentials.hfToken !== undefined, civitai: this.#options.credentials.civitaiToken !== undefined },
      windowOpen: current !== undefined,
      currentWindow: spanView(current),
      nextWindow: spanView(nextWindow(calendar, current?.closesAt ?? now)),
      running: this.#inFlight.size > 0,
      lastCheck: this.#lastCheck,
      pending: [...this.#pending.values()],
      downloads: [...this.#downloads.values()].map(({ target, state, bytesDone, bytes, percent, version }) => ({ target, state, bytesDone, bytes, percent, version })),
      installed: this.#installed,
      failed: this.#failed,
    });
  }

  /** For the daemon's one-line summary: empty while nothing happens. */
  summary(): string {
    const active = [...this.#downloads.values()].find((download) => download.state === 'downloading');
    if (active !== undefined) return `updating ${active.target} ${active.percent}%`;
    return this.#pending.size > 0 ? `${this.#pending.size} update${this.#pending.size === 1 ? '' : 's'} pending` : '';
  }

  /** Takes the lock, or, while another updater holds it, tries again every LOCK_RETRY_MS. */
  async #takeLock(): Promise<void> {
    try {
      this.#lock = await acquireUpdaterLock(this.#options.stateDir, this.#options.holder);
    } catch (error) {
      if (!(error instanceof UpdaterLockedError)) throw error;
      if (this.#lockWait === undefined) {
        const timer = setInterval(() => void this.#takeLock(), LOCK_RETRY_MS);
        timer.unref();
        this.#lockWait = { error, timer };
        this.#logger.warn('another updater holds the update lock; runs and rollbacks wait for it', { err: error.message });
        this.emit('problems');
      }
      return;
    }
    if (this.#lockWait !== undefined) {
      clearInterval(this.#lockWait.timer);
      this.#lockWait = undefined;
      this.#logger.info('took the update lock; updates run again');
      this.emit('problems');
    }
  }

  #clients(settings: UpdateSettings): [HfClient, CivitaiClient] {
    const { credentials, logger } = this.#options;
    const common = {
      logger,
      sleep: this.#sleep,
      ...(this.#options.fetch ? { fetch: this.#options.fetch } : {}),
      ...(this.#options.backoff ? { backoff: this.#options.backoff } : {}),
    };
    return [
      new HfClient(new HubHttp({ ...common, hub: 'Hugging Face', endpoint: settings.hfEndpoint, ...(credentials.hfToken ? { token: credentials.hfToken } : {}) })),
      new CivitaiClient(
        new HubHttp({ ...common, hub: 'CivitAI', endpoint: settings.civitaiEndpoint, ...(credentials.civitaiToken ? { token: credentials.civitaiToken } : {}) }),
      ),
    ];
  }

  #context(): UpdateContext {
    if (this.#hashes === undefined) throw new ArenaError('E_STARTING', 'the updater is still starting; try again in a moment');
    return {
      library: this.#options.library(),
      hashes: this.#hashes,
      history: this.#history,
      hf: this.#hf,
      civitai: this.#civitai,
      invalidate: this.#options.invalidate,
      logger: this.#logger,
      now: () => this.#clock.now(),
    };
  }

  async #loadManifest(): Promise<void> {
    const file = this.#settings.manifest;
    try {
      this.#manifest = file === '' ? undefined : await readManifest(file);
      this.#manifestError = undefined;
    } catch (error) {
      this.#manifest = undefined;
      this.#manifestError = messageOf(error);
    }
    const problems = [
      ...(this.#manifestError === undefined ? [] : [this.#manifestError]),
      ...(this.#manifest?.problems.map((problem) => describeProblem(this.#manifest!.file, problem)) ?? []),
    ];
    if (JSON.stringify(problems) !== JSON.stringify(this.#problems)) {
      for (const problem of problems.filter((line) => !this.#problems.includes(line))) this.#logger.warn(problem);
      this.#problems = problems;
      this.emit('problems');
    }
  }

  /**
   * The entries a command covers, read afresh from the manifest (edits need no
   * reload), and an error result for each malformed entry among them.
   */
  async #select(targets: readonly string[]): Promise<{ entries: ManifestEntry[]; results: UpdateEntryResult[] }> {
    await this.#loadManifest();
    if (this.#settings.manifest === '') {
      throw new NoManifestError('no models are tracked: set updates.manifest (ARENA_UPDATES_MANIFEST) to a YAML manifest; see docs/updates.md');
    }
    if (this.#manifest === undefined) throw new NoManifestError(this.#manifestError ?? `cannot read the manifest ${this.#settings.manifest}`);
    const manifest = this.#manifest;
    const broken = manifest.problems.map((problem) => ({
      key: problem.target === undefined ? undefined : keyOf(problem.target),
      result: {
        target: problem.target ?? `entry ${problem.index}`,
        status: 'error' as const,
        error: { code: 'E_MANIFEST', message: describeProblem(manifest.file, problem) },
      },
    }));
    if (targets.length === 0) return { entries: [...manifest.entries], results: broken.map((item) => item.result) };
    const entries: ManifestEntry[] = [];
    const results: UpdateEntryResult[] = [];
    for (const text of targets) {
      const key = targetKey(text);
      const entry = manifest.entries.find((candidate) => candidate.target === key);
      const problem = broken.find((item) => item.key === key);
      if (entry !== undefined) entries.push(entry);
      else if (problem !== undefined) results.push(problem.result);
      else throw new NotTrackedError(`${key} is not in the manifest ${manifest.file}; add an entry for it (arenactl update identify suggests one)`);
    }
    return { entries, results };
  }

  /** Results in the order of the manifest's entries, malformed ones included. */
  #inManifestOrder(results: readonly UpdateEntryResult[]): UpdateEntryResult[] {
    const position = new Map<string, number>();
    for (const entry of this.#manifest?.entries ?? []) position.set(entry.target, entry.index);
    for (const problem of this.#manifest?.problems ?? []) position.set(problem.target ?? `entry ${problem.index}`, problem.index);
    return [...results].sort((a, b) => (position.get(a.target) ?? 0) - (position.get(b.target) ?? 0));
  }

  /**
   * One comparison of an entry with its hub, announced for /metrics. A check
   * cut short by a stop or a closing window is neither a success nor a
   * failure of the hub, so it is not announced.
   */
  async #inspect(entry: ManifestEntry, signal: AbortSignal): Promise<Inspection> {
    const context = this.#context();
    try {
      const inspection = await inspectEntry(context, entry, signal);
      this.#emit({ event: 'update.checked', target: entry.target, result: 'ok' });
      return inspection;
    } catch (error) {
      if (!signal.aborted) this.#emit({ event: 'update.checked', target: entry.target, result: 'error' });
      throw error;
    }
  }

  #inspected(inspection: Inspection, status: UpdateEntryResult['status'] = inspection.status): UpdateEntryResult {
    const { entry, remote } = inspection;
    return {
      target: entry.target,
      status,
      source: describeSource(entry.source),
      path: inspection.located.path,
      local: inspection.local,
      remote: { sha256: remote.sha256, bytes: remote.bytes, version: remote.version, label: remote.label },
      ...(inspection.held ? { held: true } : {}),
    };
  }

  #notePending(inspection: Inspection): void {
    const { target } = inspection.entry;
    if (inspection.status === 'up-to-date') {
      this.#pending.delete(target);
      return;
    }
    const known = this.#pending.get(target);
    this.#pending.set(target, { target, bytes: inspection.remote.bytes, version: inspection.remote.label, held: inspection.held });
    if (known?.version !== inspection.remote.label) {
      this.#logger.info('update available', { target, version: inspection.remote.label, bytes: inspection.remote.bytes, held: inspection.held });
      this.#emit({ event: 'update.available', target, bytes: inspection.remote.bytes, version: inspection.remote.label });
    }
  }

  /** One entry at a time: a second run of the same target waits for the first's answer. */
  #once(entry: ManifestEntry, trigger: Trigger, explicit: boolean, signal?: AbortSignal): Promise<UpdateEntryResult> {
    const running = this.#inFlight.get(entry.target);
    if (running !== undefined) return running;
    const work = this.#apply(entry, trigger, explicit, signal).finally(() => this.#inFlight.delete(entry.target));
    this.#inFlight.set(entry.target, work);
    return work;
  }

  async #apply(entry: ManifestEntry, trigger: Trigger, explicit: boolean, windowSignal?: AbortSignal): Promise<UpdateEntryResult> {
    const signal = windowSignal ? AbortSignal.any([this.#stop.signal, windowSignal]) : this.#stop.signal;
    let inspection: Inspection | undefined;
    try {
      inspection = await this.#inspect(entry, signal);
      this.#notePending(inspection);
      if (inspection.status === 'up-to-date') return this.#inspected(inspection);
      if (inspection.held && !explicit) {
        this.#logger.info('update held back by a rollback; name the target to install it anyway', { target: entry.target, version: inspection.remote.label });
        return this.#inspected(inspection);
      }
      const outcome = await installUpdate(this.#context(), inspection, {
        signal,
        trigger,
        sleep: this.#sleep,
        pace: { windowMs: this.#settings.stallTimeout * 1000, minBytesPerSecond: this.#settings.minRate },
        onStart: (resumeFrom) => this.#downloadStarted(inspection!, resumeFrom),
        onProgress: (bytesDone) => this.#downloadProgress(entry.target, bytesDone),
      });
      this.#downloads.delete(entry.target);
      this.#pending.delete(entry.target);
      if (outcome.status === 'up-to-date') return { ...this.#inspected(inspection, 'up-to-date'), local: outcome.from };
      this.#installed += 1;
      this.#emit({
        event: 'update.installed',
        target: entry.target,
        from: outcome.from?.sha256 ?? null,
        to: inspection.remote.sha256,
        version: inspection.remote.label,
      });
      return { ...this.#inspected(inspection, 'updated'), path: outcome.path, ...(outcome.keptAs === undefined ? {} : { keptAs: outcome.keptAs }) };
    } catch (error) {
      if (signal.aborted) {
        if (inspection !== undefined) return this.#paused(inspection, error instanceof PausedError ? error.bytesDone : (this.#downloads.get(entry.target)?.bytesDone ?? 0));
        return {
          target: entry.target,
          status: 'error',
          source: describeSource(entry.source),
          error: { code: 'E_PAUSED', message: `the check of ${entry.target} stopped with its update window; it runs again in the next one` },
        };
      }
      this.#downloads.delete(entry.target);
      this.#failed += 1;
      const failure = errorOf(error);
      this.#logger.warn('update failed', { target: entry.target, code: failure.code, err: failure.message });
      this.#emit({ event: 'update.failed', target: entry.target, ...failure });
      return { ...(inspection ? this.#inspected(inspection) : { target: entry.target, source: describeSource(entry.source) }), status: 'error', error: failure };
    }
  }

  #paused(inspection: Inspection, bytesDone: number): UpdateEntryResult {
    const { target } = inspection.entry;
    const bytes = inspection.remote.bytes;
    this.#downloads.set(target, {
      target,
      state: 'paused',
      bytesDone,
      bytes,
      percent: percentOf(bytesDone, bytes),
      version: inspection.remote.label,
      startedAt: this.#clock.now(),
      resumeFrom: bytesDone,
      lastEmitAt: 0,
    });
    this.#logger.info('download paused; it resumes in the next window or run', { target, bytesDone, bytes });
    this.#emit({ event: 'update.paused', target, bytesDone, bytes });
    return { ...this.#inspected(inspection), status: 'available', paused: { bytesDone, bytes } };
  }

  #downloadStarted(inspection: Inspection, resumeFrom: number): void {
    const { target } = inspection.entry;
    const bytes = inspection.remote.bytes;
    const now = Date.now();
    this.#downloads.set(target, {
      target,
      state: 'downloading',
      bytesDone: resumeFrom,
      bytes,
      percent: percentOf(resumeFrom, bytes),
      version: inspection.remote.label,
      startedAt: now,
      resumeFrom,
      lastEmitAt: now,
    });
    this.#emit({ event: 'update.started', target, bytes, resumeFrom, version: inspection.remote.label });
  }

  #downloadProgress(target: string, bytesDone: number): void {
    const download = this.#downloads.get(target);
    if (download === undefined) return;
    const now = Date.now();
    const percent = percentOf(bytesDone, download.bytes);
    const due = now - download.lastEmitAt >= PROGRESS_INTERVAL_MS || bytesDone >= download.bytes;
    this.#downloads.set(target, { ...download, bytesDone, percent, lastEmitAt: due ? now : download.lastEmitAt });
    if (!due) return;
    const seconds = (now - download.startedAt) / 1000;
    this.#emit({
      event: 'update.progress',
      target,
      bytesDone,
      bytes: download.bytes,
      percent,
      bytesPerSecond: seconds > 0 ? Math.round((bytesDone - download.resumeFrom) / seconds) : 0,
    });
  }

  /** Paused downloads left by an earlier run of the daemon, so that status shows them before the next window. */
  async #findPausedDownloads(): Promise<void> {
    const library = this.#options.library();
    for (const entry of this.#manifest?.entries ?? []) {
      const located = await locateTarget(library, entry).catch(() => undefined);
      if (located === undefined) continue;
      for (const partial of await listStaged(located.arenaDir)) {
        if (partial.target !== entry.target) continue;
        this.#downloads.set(entry.target, {
          target: entry.target,
          state: 'paused',
          bytesDone: partial.bytesDone,
          bytes: partial.bytes,
          percent: percentOf(partial.bytesDone, partial.bytes),
          version: partial.label,
          startedAt: this.#clock.now(),
          resumeFrom: partial.bytesDone,
          lastEmitAt: 0,
        });
      }
    }
  }

  /**
   * After a full run: partials that no entry wants any more go (an entry
   * now up to date, a version superseded, a target no longer tracked); those
   * of entries whose check failed stay for the next run.
   */
  async #pruneStaging(entries: readonly ManifestEntry[], results: readonly UpdateEntryResult[]): Promise<void> {
    const library = this.#options.library();
    const outcome = new Map(results.map((result) => [result.target, result]));
    const arenaDirs = new Set<string>();
    for (const entry of entries) {
      const located = await locateTarget(library, entry).catch(() => undefined);
      if (located !== undefined) arenaDirs.add(located.arenaDir);
    }
    for (const arenaDir of arenaDirs) {
      const removed = await pruneStaging(arenaDir, (partial) => {
        if (this.#inFlight.has(partial.target)) return true;
        const result = outcome.get(partial.target);
        if (result === undefined) return false;
        if (result.status === 'error') return true;
        return result.status === 'available' && result.remote?.sha256 === partial.sha256;
      }).catch((error: unknown) => {
        this.#logger.warn('cannot tidy the download staging folder', { dir: arenaDir, err: messageOf(error) });
        return 0;
      });
      if (removed > 0) this.#logger.info('removed partial downloads no entry wants', { dir: arenaDir, files: removed });
    }
  }

  #startScheduler(): void {
    const windows = parseWindows(this.#settings.windows);
    if (windows.length === 0) {
      this.#scheduler = undefined;
      return;
    }
    this.#scheduler = new WindowScheduler({
      windows,
      clock: this.#clock,
      onOpen: (span) => this.#openWindow(span),
      onClose: (span) => this.#closeWindowSpan(span),
    });
    this.#scheduler.start();
    const next = this.#scheduler.current ?? this.#scheduler.next;
    if (next !== undefined && this.#scheduler.current === undefined) this.#logger.info('next update window', { opensAt: iso(next.opensAt), closesAt: iso(next.closesAt) });
  }

  #openWindow(span: WindowSpan): void {
    this.#logger.info('update window open', { closesAt: iso(span.closesAt) });
    this.#emit({ event: 'update.window', state: 'open', opensAt: iso(span.opensAt), closesAt: iso(span.closesAt) });
    const window = new AbortController();
    this.#window = window;
    this.#windowRun = this.run([], 'window', window.signal).then(
      (report) => {
        const count = (status: string) => report.entries.filter((entry) => entry.status === status).length;
        this.#logger.info('update window run done', { updated: count('updated'), available: count('available'), errors: count('error') });
      },
      (error: unknown) => this.#logger.warn('the update window run failed', { err: messageOf(error) }),
    );
  }

  #closeWindowSpan(span: WindowSpan): void {
    this.#logger.info('update window closed', { nextOpensAt: this.#scheduler?.next ? iso(this.#scheduler.next.opensAt) : 'none' });
    this.#emit({ event: 'update.window', state: 'closed', opensAt: iso(span.opensAt), closesAt: iso(span.closesAt) });
    this.#closeWindow();
  }

  #closeWindow(): void {
    this.#window?.abort(new PausedError('the update window closed', 0));
    this.#window = undefined;
  }

  #emit(event: UpdateEvent): void {
    this.emit('event', redactJson(event));
  }
}

function percentOf(done: number, total: number): number {
  return total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 0;
}
