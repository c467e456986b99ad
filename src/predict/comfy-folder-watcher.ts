/**
 * What the save watcher and the output-image watcher have in common: a folder
 * of the ComfyUI install followed as WatchedFiles, with the timings each
 * watcher's options may override, log entries and origins that name a file
 * relative to the ComfyUI root, and start, stop and status. Each subclass
 * says only which folder and files it follows and how it reads one.
 */
import { EventEmitter } from 'node:events';
import { messageOf } from '../core/arena-error.js';
import type { SubscribeFunction } from '../library/watcher.js';
import type { Logger } from '../log/logger.js';
import { comfyRelativePath } from './comfy-paths.js';
import type { AttemptResult } from './file-attempts.js';
import type { TreeWatchStatus } from './tree-watch.js';
import { WatchedFiles, type WatchedFilesOptions } from './watched-files.js';

/** The options every such watcher takes. */
export interface ComfyFolderWatcherOptions {
  /** The ComfyUI install; the watched folder is inside it. */
  readonly comfyRoot: string;
  readonly logger: Logger;
  /** `@parcel/watcher`'s subscribe, unless a test stands in for it. */
  readonly subscribe?: SubscribeFunction;
  /** The quiet time after a file's last event before it is read. */
  readonly debounceMs?: number;
  /** The delays between reads of a file that is still incomplete (still being written). */
  readonly retryDelaysMs?: readonly number[];
  /** How often a missing folder is looked for. */
  readonly checkIntervalMs?: number;
  readonly now?: () => number;
}

/** The folder a watcher follows, and what it calls its files. */
export interface ComfyFolder extends Pick<WatchedFilesOptions, 'dir' | 'accept' | 'freshMs' | 'filesOnlyAdded'> {
  /** The `source` of the watcher's log entries: `workflows`, `output`. */
  readonly source: string;
  /** A file as a log line names it: `saved workflow`, `output image`. */
  readonly fileNoun: string;
  /** The timings where the options give none. */
  readonly defaults: Pick<WatchedFilesOptions, 'debounceMs' | 'retryDelaysMs' | 'checkIntervalMs'>;
}

export abstract class ComfyFolderWatcher<Events extends Record<keyof Events, unknown[]>> extends EventEmitter<Events> {
  protected readonly comfyRoot: string;
  protected readonly logger: Logger;
  protected readonly now: () => number;
  readonly #files: WatchedFiles;

  constructor(options: ComfyFolderWatcherOptions, folder: ComfyFolder) {
    super();
    const { source, fileNoun, defaults, ...watched } = folder;
    this.comfyRoot = options.comfyRoot;
    this.logger = options.logger.child({ module: 'predict', source });
    this.now = options.now ?? Date.now;
    this.#files = new WatchedFiles({
      ...watched,
      onGone: (file) => this.forget?.(file),
      logger: this.logger,
      ...(options.subscribe === undefined ? {} : { subscribe: options.subscribe }),
      checkIntervalMs: options.checkIntervalMs ?? defaults.checkIntervalMs,
      now: this.now,
      debounceMs: options.debounceMs ?? defaults.debounceMs,
      retryDelaysMs: options.retryDelaysMs ?? defaults.retryDelaysMs,
      attempt: (file, isCurrent) => this.attempt(file, isCurrent),
      onGiveUp: (file, reason) => this.giveUp(file, reason),
      onError: (file, error) => this.logger.warn(`reading ${fileNoun} ${this.origin(file)} failed: ${messageOf(error)}`),
    });
  }

  /** Starts watching; files written before this are not read. */
  start(): Promise<void> {
    return this.#files.start();
  }

  /** Unsubscribes and clears every timer. Idempotent. */
  stop(): Promise<void> {
    return this.#files.stop();
  }

  status(): TreeWatchStatus {
    return this.#files.status();
  }

  /** One try at reading a file; `isCurrent()` turns false once the try is stale and must announce nothing. */
  protected abstract attempt(file: string, isCurrent: () => boolean): Promise<AttemptResult>;

  /** The file was still incomplete after the last retry; `reason` is the last try's. */
  protected abstract giveUp(file: string, reason: string): void;

  /** The file was deleted (WatchedFiles has stopped trying it): for a watcher that remembers files. */
  protected forget?(file: string): void;

  /** `user/default/workflows/x.json`: the file as logs and origins name it. */
  protected origin(file: string): string {
    return comfyRelativePath(this.comfyRoot, file);
  }
}
