/**
 * Files of one tree read as they appear: a TreeWatch says which file was
 * created, changed or deleted, and FileAttempts reads each (after a short
 * debounce, again while it is still being written). The save watcher and
 * the output-image watcher are both this, with their own reading.
 */
import { FileAttempts, type FileAttemptsOptions } from './file-attempts.js';
import { TreeWatch, type TreeWatchOptions, type TreeWatchStatus } from './tree-watch.js';

export type WatchedFilesOptions = Omit<TreeWatchOptions, 'onFile'> & FileAttemptsOptions;

export class WatchedFiles {
  readonly #attempts: FileAttempts;
  readonly #tree: TreeWatch;

  constructor(options: WatchedFilesOptions) {
    this.#attempts = new FileAttempts(options);
    this.#tree = new TreeWatch({
      ...options,
      onFile: (file) => this.#attempts.touch(file),
      onGone: (file) => {
        this.#attempts.forget(file);
        options.onGone?.(file);
      },
    });
  }

  async start(): Promise<void> {
    await this.#tree.start();
  }

  /** Unsubscribes and clears every timer. Idempotent. */
  async stop(): Promise<void> {
    this.#attempts.stop();
    await this.#tree.stop();
  }

  status(): TreeWatchStatus {
    return this.#tree.status();
  }
}
