/**
 * A task repeated on a timer: the poll of a folder on a NAS, the slow rescan
 * that is the truth behind the watch events, the existence check of folders.
 * Runs never overlap (the next one is scheduled when the last one ends), and
 * a failing run is reported, never thrown out of the timer.
 */
export interface PollerOptions {
  readonly intervalMs: number;
  readonly task: () => Promise<void>;
  readonly onError: (error: unknown) => void;
}

export class Poller {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: PollerOptions) {
    this.schedule();
  }

  get intervalMs(): number {
    return this.options.intervalMs;
  }

  /** Stops the timer and waits for a run in progress. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.run().catch((error: unknown) => this.options.onError(error));
    }, this.options.intervalMs);
    // The daemon is kept alive by its socket; a one-shot command must be able to exit.
    this.timer.unref();
  }

  private async run(): Promise<void> {
    this.timer = undefined;
    this.running = this.options.task().catch((error: unknown) => this.options.onError(error));
    await this.running;
    this.running = undefined;
    this.schedule();
  }
}
