import type { CacheContext } from './cache-context.js';

/** How long changes to the queue gather before one save writes them all. */
const SAVE_DELAY_MS = 200;

/**
 * Keeps `state.dir/prefetch-queue.json` in step with the queue, so that what
 * was wanted before a crash or a restart is still copied after it. Changes
 * are saved together shortly after; a save asked for now writes at once.
 */
export class QueueSaver {
  readonly #context: CacheContext;
  readonly #file: string;
  #timer?: NodeJS.Timeout;
  #saving: Promise<void> = Promise.resolve();

  constructor(context: CacheContext, file: string) {
    this.#context = context;
    this.#file = file;
  }

  /** Saves the queue shortly, with whatever else changes meanwhile. */
  soon(): void {
    if (this.#timer !== undefined || this.#context.stopping) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#queueSave();
    }, SAVE_DELAY_MS);
    this.#timer.unref();
  }

  /** Drops a save still waiting to happen (at stop, before the final save). */
  cancelSoon(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Writes the queue now, so that a request answered over the socket
   * survives a kill that comes right after the answer. Saves run one after
   * another: an older snapshot never lands over a newer one.
   */
  async now(): Promise<void> {
    this.cancelSoon();
    this.#queueSave();
    await this.#saving;
  }

  /** Chains a save after the ones before it. The chain never rejects: a failed save is logged, and the next change saves again. */
  #queueSave(): void {
    this.#saving = this.#saving
      .then(() => this.#context.queue.save(this.#file))
      .catch((error: unknown) => this.#context.logger.warn('could not save the prefetch queue', { err: error }));
  }
}
