/**
 * The live library: keeps the catalog in step with the model folders. Local
 * folders are watched through kernel events; folders on a NAS or a FUSE
 * mount are polled, since no event arrives there for changes made elsewhere.
 * Every folder is also rescanned on a slow timer, the truth behind the
 * events. A folder that goes away keeps its models, marked unavailable, and
 * is picked up again by itself when it returns.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from '../log/logger.js';
import { CATALOG_EVENT_NAMES, Catalog, type CatalogEvents } from './catalog.js';
import { FolderSync } from './folder-sync.js';
import type { ModelFolder } from './model-folders.js';
import { folderMode, type FolderMode, type PollPolicy } from './folder-mode.js';
import { libraryProblems, libraryStatus, type LibraryStatus, type StatusInputs } from './library-status.js';
import { fileSystemTypeOf, UNKNOWN_FILE_SYSTEM } from './mounts.js';
import { isWithin } from './paths.js';
import { Poller } from './poller.js';
import { confinementOf, folderProblem } from './scan.js';
import {
  isWatchLimitError,
  librarySubscribe,
  topDirectories,
  topDirectoryOf,
  watchDirectory,
  type SubscribeFunction,
  type WatchEvent,
  type WatchSubscription,
} from './watcher.js';

export { folderMode, POLL_POLICIES, type FolderMode, type PollPolicy } from './folder-mode.js';
export type { FolderStatus, LibraryStatus, RootStatus } from './library-status.js';

export const DEFAULT_SETTLE_MS = 2000;
export const DEFAULT_AVAILABILITY_CHECK_MS = 5000;

export interface LibraryOptions {
  folders: ModelFolder[];
  /** `auto` polls folders on network and FUSE filesystems and watches the rest. */
  poll: PollPolicy;
  pollIntervalMs: number;
  /** The slow full rescan of every folder. */
  rescanIntervalMs: number;
  /** How long a new or changed file must stay unchanged before it counts. */
  settleMs?: number;
  /** How often every folder is checked for having vanished or come back. */
  availabilityCheckMs?: number;
  logger: Logger;
  /** `@parcel/watcher`'s subscribe, unless a test stands in for it. */
  subscribe?: SubscribeFunction;
  /** The mount-table lookup, unless a test stands in for it. */
  fileSystemType?: (dir: string) => Promise<string>;
}

/** What a config reload may change. */
export interface LibraryReconfiguration {
  folders: ModelFolder[];
  poll?: PollPolicy;
  pollIntervalMs?: number;
  rescanIntervalMs?: number;
}

/** One subscription or one poll loop, for a top directory and every folder inside it. */
interface WatchUnit {
  readonly dir: string;
  folders: ModelFolder[];
  active: boolean;
  mode: FolderMode;
  fsType: string;
  /** The kernel refused more watches for this tree: it is polled from now on. */
  watchLimited: boolean;
  /** Events may have been lost: rescan its folders on the next activation. */
  needsResync: boolean;
  subscription?: WatchSubscription;
  poller?: Poller;
  refreshTimer?: NodeJS.Timeout;
  /** Activations and deactivations run one at a time. */
  transition: Promise<void>;
}

export class Library extends EventEmitter<CatalogEvents> {
  readonly catalog = new Catalog();
  private options: LibraryOptions;
  private readonly logger: Logger;
  private readonly sync: FolderSync;
  private readonly subscribe: SubscribeFunction;
  private readonly fileSystemType: (dir: string) => Promise<string>;
  private units = new Map<string, WatchUnit>();
  private missingRoots = new Set<string>();
  private rescanPoller: Poller | undefined;
  private availabilityPoller: Poller | undefined;
  private started = false;
  private stopped = false;
  private watchLimitLogged = false;

  constructor(options: LibraryOptions) {
    super();
    this.options = options;
    this.logger = options.logger.child({ module: 'library' });
    this.subscribe = options.subscribe ?? librarySubscribe;
    this.fileSystemType = options.fileSystemType ?? fileSystemTypeOf;
    this.sync = new FolderSync({ catalog: this.catalog, settleMs: this.settleMs, logger: this.logger });
    for (const name of CATALOG_EVENT_NAMES) this.forward(name);
  }

  /** Scans every folder, then keeps watching and polling. Resolves once the first scan is done. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const folders = this.sync.install(this.options.folders);
    this.units = this.buildUnits(new Map());
    await this.checkRoots();
    // Subscribe before the first scan, so that nothing slips between the two.
    await Promise.all([...this.units.values()].map((unit) => this.ensureUnit(unit)));
    await Promise.all(folders.map((folder) => this.sync.sync(folder, { firstScan: true })));
    this.rescanPoller = this.newRescanPoller();
    this.availabilityPoller = new Poller({
      intervalMs: this.options.availabilityCheckMs ?? DEFAULT_AVAILABILITY_CHECK_MS,
      task: () => this.checkAvailability(),
      onError: (error) => this.logger.warn('checking model folders failed', { err: error }),
    });
    const counts = this.catalog.counts();
    this.logger.info('library scanned', { folders: folders.length, models: counts.models, bytes: counts.bytes });
  }

  /** Stops every watch, poll and timer, and waits for work in progress. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    // Folder work stops first, so that nothing is announced once stop() has begun.
    await this.sync.stop();
    await Promise.all([this.rescanPoller?.stop(), this.availabilityPoller?.stop()]);
    await Promise.all([...this.units.values()].map((unit) => this.queueTransition(unit, () => this.deactivate(unit))));
  }

  /** Applies a config reload: folders that left are dropped, new ones scanned, watches adjusted. */
  async reconfigure(change: LibraryReconfiguration): Promise<void> {
    const previous = this.options;
    this.options = { ...previous, ...change };
    if (!this.started || this.stopped) return;
    const modeChanged = previous.poll !== this.options.poll || previous.pollIntervalMs !== this.options.pollIntervalMs;
    const added = this.sync.install(change.folders);
    const oldUnits = this.units;
    this.units = this.buildUnits(modeChanged ? new Map() : oldUnits);
    for (const unit of oldUnits.values()) {
      if (this.units.get(unit.dir) !== unit) await this.queueTransition(unit, () => this.deactivate(unit));
    }
    await this.checkRoots();
    await Promise.all([...this.units.values()].map((unit) => this.ensureUnit(unit)));
    await Promise.all(added.map((folder) => this.sync.sync(folder, { firstScan: true })));
    if (previous.rescanIntervalMs !== this.options.rescanIntervalMs) {
      await this.rescanPoller?.stop();
      this.rescanPoller = this.newRescanPoller();
    }
  }

  /** Rescans every folder now and waits for it. */
  async rescanNow(): Promise<void> {
    await Promise.all(this.sync.folders().map((folder) => this.sync.sync(folder, { firstScan: false })));
  }

  /**
   * Where a file of this folder may really lie: the folder and its root,
   * each with its symlinks resolved. A symlink inside them is fine (a
   * category folder linked to the NAS, a model linked from another
   * category); one that leads elsewhere is never catalogued or copied.
   */
  async sourceBounds(folderDir: string): Promise<string[]> {
    const folder = this.sync.folders().find((candidate) => candidate.dir === folderDir);
    if (folder === undefined) return [];
    return confinementOf(folder);
  }

  /** Whether a file of this model is being written now: seen, but not settled into the catalog yet. */
  settling(category: string | null, name: string): { path: string; bytes: number } | undefined {
    const model = this.sync.settling(category, name);
    return model === undefined ? undefined : { path: model.path, bytes: model.size };
  }

  status(): LibraryStatus {
    return libraryStatus(this.statusInputs());
  }

  /** One line per thing the user should fix or know: missing roots and folders, an exhausted watch limit. */
  problems(): string[] {
    return libraryProblems(this.statusInputs());
  }

  private statusInputs(): StatusInputs {
    return {
      folders: this.sync.folders(),
      present: (folder) => this.sync.presence(folder),
      unitOf: (folder) => this.unitOf(folder),
      poll: this.options.poll,
      pollIntervalMs: this.options.pollIntervalMs,
      catalog: this.catalog,
      missingRoots: this.missingRoots,
      watchLimitedTrees: [...this.units.values()].filter((unit) => unit.watchLimited).length,
    };
  }

  private get settleMs(): number {
    return this.options.settleMs ?? DEFAULT_SETTLE_MS;
  }

  /** Re-announces a catalog event as the library's own. */
  private forward<K extends keyof CatalogEvents>(name: K): void {
    // The event map guarantees the arguments match; TypeScript cannot follow a generic key through it.
    const relay = (...args: CatalogEvents[K]) => this.emit(name, ...(args as never));
    this.catalog.on(name, relay as never);
  }

  // ---- units: one watch or poll per top directory -------------------------

  /** Units for the current folders; an old unit for the same directory is kept, with its subscription. */
  private buildUnits(reusable: ReadonlyMap<string, WatchUnit>): Map<string, WatchUnit> {
    const folders = this.sync.folders();
    const units = new Map<string, WatchUnit>();
    for (const dir of topDirectories(folders.map((folder) => folder.dir))) {
      const inside = folders.filter((folder) => isWithin(folder.dir, dir));
      const unit: WatchUnit = reusable.get(dir) ?? {
        dir,
        folders: inside,
        active: false,
        mode: 'watch',
        fsType: UNKNOWN_FILE_SYSTEM,
        watchLimited: false,
        needsResync: false,
        transition: Promise.resolve(),
      };
      unit.folders = inside;
      units.set(dir, unit);
    }
    return units;
  }

  private unitOf(folder: ModelFolder): WatchUnit | undefined {
    const top = topDirectoryOf(folder.dir, [...this.units.keys()]);
    return top === undefined ? undefined : this.units.get(top);
  }

  private isCurrent(unit: WatchUnit): boolean {
    return !this.stopped && this.units.get(unit.dir) === unit;
  }

  /** Work started from an event or a timer: its steps log their own failures, and anything left is logged here. */
  private background(work: Promise<void>, dir: string): void {
    work.catch((error: unknown) => this.logger.warn('updating a model folder failed', { dir, err: error }));
  }

  private queueTransition(unit: WatchUnit, step: () => Promise<void>): Promise<void> {
    unit.transition = unit.transition.then(step).catch((error: unknown) => {
      this.logger.warn('changing how a model folder is watched failed', { dir: unit.dir, err: error });
    });
    return unit.transition;
  }

  /** Active (watched or polled) while the directory exists, idle while it does not. */
  private ensureUnit(unit: WatchUnit): Promise<void> {
    return this.queueTransition(unit, async () => {
      const present = (await folderProblem(unit.dir)) === undefined;
      if (!present || !this.isCurrent(unit)) {
        if (unit.active) await this.deactivate(unit);
      } else if (!unit.active) {
        await this.activate(unit);
      }
    });
  }

  private async activate(unit: WatchUnit): Promise<void> {
    // Re-read on every activation: a NAS mounted over an empty mount point changes type.
    unit.fsType = await this.fileSystemType(unit.dir);
    unit.mode = folderMode(this.options.poll, unit.fsType, unit.watchLimited);
    if (unit.mode === 'watch') {
      try {
        unit.subscription = await watchDirectory(unit.dir, this.subscribe, {
          onEvents: (events) => this.onWatchEvents(unit, events),
          onError: (error) => this.onWatchError(unit, error),
        });
      } catch (error) {
        this.fallBackToPolling(unit, error);
      }
    }
    if (unit.mode === 'poll') {
      unit.poller = new Poller({
        intervalMs: this.options.pollIntervalMs,
        task: () => this.syncUnit(unit),
        onError: (error) => this.logger.warn('polling a model folder failed', { dir: unit.dir, err: error }),
      });
    }
    unit.active = true;
    this.logger.debug('model folder tree active', { dir: unit.dir, mode: unit.mode, fsType: unit.fsType });
    if (unit.needsResync) {
      unit.needsResync = false;
      this.background(this.syncUnit(unit), unit.dir);
    }
  }

  private async deactivate(unit: WatchUnit): Promise<void> {
    unit.active = false;
    if (unit.refreshTimer !== undefined) clearTimeout(unit.refreshTimer);
    unit.refreshTimer = undefined;
    const { subscription, poller } = unit;
    unit.subscription = undefined;
    unit.poller = undefined;
    await poller?.stop();
    try {
      await subscription?.unsubscribe();
    } catch (error) {
      // The watch of a deleted directory may fail to unsubscribe; it is gone either way.
      this.logger.debug('unsubscribing a model folder watch failed', { dir: unit.dir, err: error });
    }
  }

  private fallBackToPolling(unit: WatchUnit, error: unknown): void {
    unit.mode = 'poll';
    if (!isWatchLimitError(error)) {
      this.logger.warn('watching a model folder failed; polling it instead', { dir: unit.dir, err: error });
      return;
    }
    unit.watchLimited = true;
    const meta = { dir: unit.dir, err: error };
    const message = 'the inotify watch limit is reached; polling model folders instead (raise fs.inotify.max_user_watches)';
    if (this.watchLimitLogged) this.logger.debug(message, meta);
    else this.logger.warn(message, meta);
    this.watchLimitLogged = true;
  }

  private onWatchError(unit: WatchUnit, error: Error): void {
    if (!this.isCurrent(unit)) return;
    unit.needsResync = true;
    const recover = this.queueTransition(unit, async () => {
      if (!this.isCurrent(unit) || !unit.active) return;
      await this.deactivate(unit);
      if (isWatchLimitError(error)) {
        this.fallBackToPolling(unit, error);
        await this.activate(unit);
      } else {
        // The next availability check subscribes again if the directory is still there.
        this.logger.warn('a model folder watch failed; it will be set up again', { dir: unit.dir, err: error });
      }
    });
    this.background(recover, unit.dir);
  }

  private onWatchEvents(unit: WatchUnit, events: WatchEvent[]): void {
    if (!this.isCurrent(unit)) return;
    const paths = [...new Set(events.map((event) => event.path))];
    for (const folder of unit.folders) {
      // A path inside the folder, or the folder itself or one above it (created, deleted).
      const relevant = paths.filter((changed) => isWithin(changed, folder.dir) || isWithin(folder.dir, changed));
      if (relevant.length === 0) continue;
      this.background(
        this.sync.applyChanges(folder, relevant, () => this.scheduleRefresh(unit)),
        folder.dir,
      );
    }
  }

  /**
   * A directory moved into the tree is not watched inside, and files may land
   * in a fresh `mkdir -p` before its watch exists. Once things calm down,
   * subscribe again (so that the kernel watches it) and rescan the tree.
   */
  private scheduleRefresh(unit: WatchUnit): void {
    if (unit.refreshTimer !== undefined || unit.mode !== 'watch') return;
    unit.refreshTimer = setTimeout(() => {
      unit.refreshTimer = undefined;
      const refresh = this.queueTransition(unit, async () => {
        if (!this.isCurrent(unit) || !unit.active || unit.mode !== 'watch') return;
        await this.deactivate(unit);
        unit.needsResync = true;
        await this.activate(unit);
      });
      this.background(refresh, unit.dir);
    }, this.settleMs);
    unit.refreshTimer.unref();
  }

  // ---- timers ------------------------------------------------------------

  private newRescanPoller(): Poller {
    return new Poller({
      intervalMs: this.options.rescanIntervalMs,
      task: () => this.rescanNow(),
      onError: (error) => this.logger.warn('rescanning the model library failed', { err: error }),
    });
  }

  /** A poll: a rescan of each folder of the unit, diffed against the catalog. */
  private async syncUnit(unit: WatchUnit): Promise<void> {
    await Promise.all(unit.folders.map((folder) => this.sync.sync(folder, { firstScan: false })));
  }

  /** The cheap check behind watched folders: a deleted or unmounted folder sends no reliable event. */
  private async checkAvailability(): Promise<void> {
    await this.checkRoots();
    await Promise.all([...this.units.values()].map((unit) => this.ensureUnit(unit)));
    await Promise.all(this.sync.folders().map((folder) => this.sync.checkPresence(folder)));
  }

  private async checkRoots(): Promise<void> {
    const roots = new Set(this.sync.folders().flatMap((folder) => (folder.root === undefined ? [] : [folder.root])));
    const missing = new Set<string>();
    for (const root of roots) {
      if ((await folderProblem(root)) !== undefined) missing.add(root);
    }
    this.missingRoots = missing;
  }
}
