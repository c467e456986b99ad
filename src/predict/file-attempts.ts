/**
 * Reads a file once it is written, for files that give no "done" signal.
 * Events for a file are coalesced by a short debounce; a try that finds the
 * file incomplete (empty, truncated) is repeated after growing delays; a new
 * event for the file starts it over, and makes any try still in flight stale
 * so that it announces nothing.
 */
export type AttemptResult = { readonly done: true } | { readonly done: false; readonly reason: string };

export const ATTEMPT_DONE: AttemptResult = { done: true };

export function retryBecause(reason: string): AttemptResult {
  return { done: false, reason };
}

export interface FileAttemptsOptions {
  /** The quiet time after an event before the first try. */
  readonly debounceMs: number;
  /** The delays before each further try; when they run out the file is given up. */
  readonly retryDelaysMs: readonly number[];
  /**
   * One try at the file. `isCurrent()` turns false once a newer event for the
   * file arrived or the owner stopped: the try must then announce nothing.
   */
  readonly attempt: (file: string, isCurrent: () => boolean) => Promise<AttemptResult>;
  /** The file was still incomplete after the last retry; `reason` is the last try's. */
  readonly onGiveUp: (file: string, reason: string) => void;
  /** A try threw: the file is dropped. */
  readonly onError: (file: string, error: unknown) => void;
}

interface Pending {
  tries: number;
  timer: NodeJS.Timeout | undefined;
}

export class FileAttempts {
  private readonly pending = new Map<string, Pending>();
  private stopped = false;

  constructor(private readonly options: FileAttemptsOptions) {}

  /** The file was created or changed: (re)start its tries after the debounce. */
  touch(file: string): void {
    if (this.stopped) return;
    this.forget(file);
    const entry: Pending = { tries: 0, timer: undefined };
    this.pending.set(file, entry);
    this.schedule(file, entry, this.options.debounceMs);
  }

  /** Stops trying the file (it was deleted). */
  forget(file: string): void {
    const entry = this.pending.get(file);
    if (entry === undefined) return;
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    this.pending.delete(file);
  }

  /** Drops every pending file for good. */
  stop(): void {
    this.stopped = true;
    for (const file of [...this.pending.keys()]) this.forget(file);
  }

  /** Files waiting for a try or in one. */
  get size(): number {
    return this.pending.size;
  }

  private schedule(file: string, entry: Pending, delayMs: number): void {
    // run() hands a failed try to onError itself; the catch is the net for an onGiveUp that threw.
    entry.timer = setTimeout(() => void this.run(file, entry).catch((error: unknown) => this.options.onError(file, error)), delayMs);
    // The daemon is kept alive by its socket; a pending retry must not hold a process open.
    entry.timer.unref();
  }

  private async run(file: string, entry: Pending): Promise<void> {
    entry.timer = undefined;
    const isCurrent = (): boolean => !this.stopped && this.pending.get(file) === entry;
    let result: AttemptResult;
    try {
      result = await this.options.attempt(file, isCurrent);
    } catch (error) {
      if (!isCurrent()) return;
      this.pending.delete(file);
      this.options.onError(file, error);
      return;
    }
    if (!isCurrent()) return;
    if (result.done) {
      this.pending.delete(file);
      return;
    }
    const delay = this.options.retryDelaysMs[entry.tries];
    entry.tries += 1;
    if (delay === undefined) {
      this.pending.delete(file);
      this.options.onGiveUp(file, result.reason);
      return;
    }
    this.schedule(file, entry, delay);
  }
}
