/**
 * Watches one folder tree of a ComfyUI install (`user/`, `output/`) for new
 * and changed files, through @parcel/watcher. The tree may not exist yet (a
 * fresh install, before the first save): it is looked for every
 * `checkIntervalMs` and watched once it appears. Kernel events do not cover
 * everything, so the gaps are filled by scanning:
 * - a folder made with `mkdir -p` or moved in is not watched inside until we
 *   subscribe again, and files may land in it before that: such a folder is
 *   scanned at once, and after a fresh subscription the tree is scanned for
 *   files modified since it appeared;
 * - when the kernel refuses more watches (ENOSPC), the tree is polled.
 * Files found by scanning a new folder count only when recently modified, so
 * that an old folder moved in does not look like a burst of new activity.
 */
import { lstat, stat } from 'node:fs/promises';
import { messageOf } from '../core/arena-error.js';
import { Poller } from '../library/poller.js';
import {
  isWatchLimitError,
  parcelSubscribe,
  watchDirectory,
  type SubscribeFunction,
  type WatchEvent,
  type WatchSubscription,
} from '../library/watcher.js';
import type { Logger } from '../log/logger.js';
import { scanTree } from './tree-scan.js';

export const DEFAULT_REFRESH_DELAY_MS = 250;
/** Some filesystems keep mtimes in whole seconds (or two, on FAT): compare with room to spare. */
const MTIME_MARGIN_MS = 2_000;

export interface TreeWatchOptions {
  readonly dir: string;
  /** Which files matter (absolute paths); everything else is ignored. */
  readonly accept: (file: string) => boolean;
  /** A file that matters was created or changed. */
  readonly onFile: (file: string) => void;
  /** A file that matters was deleted. */
  readonly onGone?: (file: string) => void;
  readonly logger: Logger;
  /** `@parcel/watcher`'s subscribe, unless a test stands in for it. */
  readonly subscribe?: SubscribeFunction;
  /** How often a missing tree is looked for (and a polled tree polled). */
  readonly checkIntervalMs: number;
  /** A file found by scanning a new folder counts when modified less than this long ago. */
  readonly freshMs: number;
  /** How long after a folder appears inside the tree the watch is set up again. */
  readonly refreshDelayMs?: number;
  /**
   * Files are only ever added to this tree, never changed in place: scans for
   * what is new may skip the files of folders that gained no entry.
   */
  readonly filesOnlyAdded?: boolean;
  readonly now?: () => number;
}

export type TreeWatchState = 'stopped' | 'missing' | 'watching' | 'polling' | 'failing';

export interface TreeWatchStatus {
  readonly dir: string;
  readonly state: TreeWatchState;
  /** One line for the user when the tree cannot be watched as it should. */
  readonly problem?: string;
}

type Mode = 'missing' | 'watch' | 'poll' | 'failing';

export class TreeWatch {
  private readonly options: TreeWatchOptions;
  private readonly subscribe: SubscribeFunction;
  private readonly now: () => number;
  private mode: Mode = 'missing';
  private subscription: WatchSubscription | undefined;
  /** Identifies the live subscription: callbacks of an older one are ignored. */
  private activeToken: object | undefined;
  /** Poll mode: `size:mtime` of every accepted file at the last poll. */
  private snapshot = new Map<string, string>();
  private checker: Poller | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  /** Set-ups and tear-downs run one at a time. */
  private transition: Promise<void> = Promise.resolve();
  private problem: string | undefined;
  private started = false;
  private stopped = false;

  constructor(options: TreeWatchOptions) {
    this.options = options;
    this.subscribe = options.subscribe ?? parcelSubscribe;
    this.now = options.now ?? Date.now;
  }

  /** Watches the tree if it exists (its current files are old news), and starts looking for it otherwise. */
  async start(): Promise<void> {
    if (this.started || this.stopped) return;
    this.started = true;
    await this.queue(() => this.check(false));
    this.checker = new Poller({
      intervalMs: this.options.checkIntervalMs,
      // Once running, a tree that appears or a watch set up again may hold files we have not seen.
      task: () => this.queue(() => this.check(true)),
      onError: (error) => this.options.logger.warn('checking a watched folder failed', { dir: this.options.dir, err: error }),
    });
  }

  /** Unsubscribes and clears every timer. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.refreshTimer !== undefined) clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
    await this.checker?.stop();
    await this.queue(() => this.deactivate(), true);
  }

  status(): TreeWatchStatus {
    const state = this.stopped || !this.started ? 'stopped' : STATE_OF_MODE[this.mode];
    return this.problem === undefined ? { dir: this.options.dir, state } : { dir: this.options.dir, state, problem: this.problem };
  }

  /** Runs `step` after the steps before it, and resolves once it ran; never rejects. */
  private queue(step: () => Promise<void>, evenWhenStopped = false): Promise<void> {
    this.enqueue(step, evenWhenStopped);
    return this.transition;
  }

  /** Chains `step` after the steps before it. The chain never rejects: a failed step is logged. */
  private enqueue(step: () => Promise<void>, evenWhenStopped = false): void {
    this.transition = this.transition
      .then(() => (this.stopped && !evenWhenStopped ? undefined : step()))
      .catch((error: unknown) => this.options.logger.warn('watching a folder failed', { dir: this.options.dir, err: error }));
  }

  private async check(discover: boolean): Promise<void> {
    if (!(await isDirectory(this.options.dir))) {
      if (this.mode !== 'missing') {
        await this.deactivate();
        this.options.logger.debug('watched folder is gone; looking for it again', { dir: this.options.dir });
      }
      this.mode = 'missing';
      return;
    }
    if (this.mode === 'poll') await this.poll();
    else if (this.mode !== 'watch') await this.activate(discover);
  }

  private async activate(discover: boolean): Promise<void> {
    const token = {};
    // Live before the subscription resolves, so that no early event is dropped.
    this.activeToken = token;
    try {
      this.subscription = await watchDirectory(this.options.dir, this.subscribe, {
        onEvents: (events) => this.onEvents(token, events),
        onError: (error) => this.onWatchError(token, error),
      });
    } catch (error) {
      this.activeToken = undefined;
      if (isWatchLimitError(error)) await this.startPolling(error, discover);
      else this.fail(`cannot watch ${this.options.dir}: ${messageOf(error)}`, error);
      return;
    }
    this.mode = 'watch';
    this.clearProblem();
    this.options.logger.debug('watching folder', { dir: this.options.dir });
    if (discover) await this.discover(this.options.dir);
  }

  private async deactivate(): Promise<void> {
    this.activeToken = undefined;
    this.snapshot.clear();
    const subscription = this.subscription;
    this.subscription = undefined;
    try {
      await subscription?.unsubscribe();
    } catch (error) {
      // The watch of a deleted folder may fail to unsubscribe; it is gone either way.
      this.options.logger.debug('unsubscribing a folder watch failed', { dir: this.options.dir, err: error });
    }
  }

  private onEvents(token: object, events: WatchEvent[]): void {
    if (this.stopped || token !== this.activeToken) return;
    for (const event of events) {
      if (this.options.accept(event.path)) {
        if (event.type === 'delete') this.options.onGone?.(event.path);
        else this.options.onFile(event.path);
      } else if (event.type === 'create') {
        const dir = event.path;
        this.inspectCreated(dir).catch((error: unknown) => this.options.logger.warn('inspecting a new folder failed', { dir, err: error }));
      }
    }
  }

  private onWatchError(token: object, error: Error): void {
    if (this.stopped || token !== this.activeToken) return;
    this.enqueue(async () => {
      if (token !== this.activeToken) return;
      await this.deactivate();
      // Events may have been lost: the next check subscribes again and scans for recent files.
      if (isWatchLimitError(error)) await this.startPolling(error, true);
      else this.fail(`the watch of ${this.options.dir} failed: ${messageOf(error)}`, error);
    });
  }

  /** A path that is no file of ours may be a new folder, whose inside the kernel does not watch yet. */
  private async inspectCreated(file: string): Promise<void> {
    // Gone again, or out of reach: there is nothing inside it to scan.
    const stats = await lstat(file).catch(() => undefined);
    if (stats === undefined || !stats.isDirectory() || this.stopped) return;
    await this.discover(file).catch((error: unknown) => this.options.logger.warn('scanning a new folder failed', { dir: file, err: error }));
    this.scheduleRefresh();
  }

  /**
   * Subscribes again shortly after a folder appeared, so that the kernel
   * watches inside it. Files written meanwhile in folders not yet watched, or
   * while no subscription exists, send no event: the whole tree is then
   * scanned for files modified since the folder appeared.
   */
  private scheduleRefresh(): void {
    if (this.refreshTimer !== undefined || this.stopped) return;
    const since = this.now() - MTIME_MARGIN_MS;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      this.enqueue(async () => {
        if (this.mode !== 'watch') return;
        await this.deactivate();
        await this.activate(false);
        if (this.mode === 'watch') await this.discover(this.options.dir, since);
      });
    }, this.options.refreshDelayMs ?? DEFAULT_REFRESH_DELAY_MS);
    this.refreshTimer.unref();
  }

  /** Announces the files below `dir` modified since `since` (by default, the fresh ones). */
  private async discover(dir: string, since = this.now() - this.options.freshMs): Promise<void> {
    const files = await scanTree(dir, this.options.accept, this.options.filesOnlyAdded ? { addedSince: since } : {});
    for (const file of files) {
      if (this.stopped) return;
      if (file.mtimeMs >= since) this.options.onFile(file.path);
    }
  }

  private async startPolling(error: unknown, discover: boolean): Promise<void> {
    this.mode = 'poll';
    const seconds = this.options.checkIntervalMs / 1000;
    const problem = `the inotify watch limit is reached: ${this.options.dir} is polled every ${seconds} s instead of watched; raise fs.inotify.max_user_watches`;
    if (this.problem !== problem) this.options.logger.warn(problem, { err: messageOf(error) });
    this.problem = problem;
    const files = await scanTree(this.options.dir, this.options.accept);
    this.snapshot = new Map(files.map((file) => [file.path, stateOf(file)]));
    const cutoff = this.now() - this.options.freshMs;
    if (discover) for (const file of files) if (file.mtimeMs >= cutoff) this.options.onFile(file.path);
  }

  /** Poll mode: announces what was created, changed or deleted since the last poll. */
  private async poll(): Promise<void> {
    const files = await scanTree(this.options.dir, this.options.accept);
    const previous = this.snapshot;
    this.snapshot = new Map(files.map((file) => [file.path, stateOf(file)]));
    if (this.stopped) return;
    for (const [file, state] of this.snapshot) if (previous.get(file) !== state) this.options.onFile(file);
    for (const file of previous.keys()) if (!this.snapshot.has(file)) this.options.onGone?.(file);
  }

  private fail(problem: string, error: unknown): void {
    this.mode = 'failing';
    // Said once; the check timer keeps trying quietly.
    if (this.problem !== problem)
      this.options.logger.warn(`${problem}; retrying every ${this.options.checkIntervalMs / 1000} s`, { err: messageOf(error) });
    this.problem = problem;
  }

  private clearProblem(): void {
    if (this.problem === undefined) return;
    this.problem = undefined;
    this.options.logger.info('watching folder again', { dir: this.options.dir });
  }
}

const STATE_OF_MODE: Record<Mode, TreeWatchState> = { missing: 'missing', watch: 'watching', poll: 'polling', failing: 'failing' };

function stateOf(file: { size: number; mtimeMs: number }): string {
  return `${file.size}:${file.mtimeMs}`;
}

/** The tree itself may be a symlink (an `output/` moved to a bigger disk): follow it. */
async function isDirectory(dir: string): Promise<boolean> {
  // Missing and out of reach alike count as absent: the check timer looks again.
  const stats = await stat(dir).catch(() => undefined);
  return stats?.isDirectory() ?? false;
}
