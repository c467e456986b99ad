/**
 * Counts each generation run once. One run shows up several times: once per
 * image of a batch, once more for a preview, and in the queue while it runs.
 * A run id counts again only after it has not been seen for `windowMs`.
 * Watchers that should agree on this share one instance.
 */
export const DEFAULT_RUN_WINDOW_MS = 10 * 60_000;

export interface RunDeduperOptions {
  /** How long after its last sighting a run id is forgotten. */
  readonly windowMs?: number;
  readonly now?: () => number;
}

export interface RunObservation {
  /** True for the first sighting within the window: the one to announce. */
  readonly first: boolean;
  /** The earliest start any sighting of this run reported. */
  readonly startedAt: number;
}

interface Seen {
  startedAt: number;
  lastSeen: number;
}

export class RunDeduper {
  private readonly windowMs: number;
  private readonly now: () => number;
  /** Kept in order of last sighting (re-inserted on each one), so that expired ids sit at the front. */
  private readonly seen = new Map<string, Seen>();

  constructor(options: RunDeduperOptions = {}) {
    this.windowMs = options.windowMs ?? DEFAULT_RUN_WINDOW_MS;
    this.now = options.now ?? Date.now;
  }

  /** Records a sighting of `runId` whose run started at `startedAt` (best estimate). */
  observe(runId: string, startedAt: number): RunObservation {
    const now = this.now();
    this.expire(now);
    const previous = this.seen.get(runId);
    const entry: Seen = { startedAt: Math.min(previous?.startedAt ?? startedAt, startedAt), lastSeen: now };
    this.seen.delete(runId);
    this.seen.set(runId, entry);
    return { first: previous === undefined, startedAt: entry.startedAt };
  }

  /** True while `runId` was seen within the window. */
  has(runId: string): boolean {
    this.expire(this.now());
    return this.seen.has(runId);
  }

  /** The number of runs remembered. */
  get size(): number {
    this.expire(this.now());
    return this.seen.size;
  }

  private expire(now: number): void {
    for (const [runId, entry] of this.seen) {
      if (now - entry.lastSeen < this.windowMs) return;
      this.seen.delete(runId);
    }
  }
}
