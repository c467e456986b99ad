/**
 * Whether a download is keeping pace: over a sliding window of
 * `updates.stallTimeout`, it must receive at least one byte (else it has
 * stalled) and average at least `updates.minRate` (else it is too slow).
 *
 * Measured over the whole window, a brief dip does not count against a
 * healthy download: at 10 MB/s, a 50 s pause still leaves 100 MB in a 60 s
 * window, far above the floor of 6 MB. A hub that drips a byte every few
 * seconds, which never trips a gap timer, falls below the floor within one
 * window. Nothing is judged before a connection has been open for a full
 * window, so the time to the first byte is covered too.
 *
 * Times are passed in (milliseconds on a monotonic clock), so the
 * arithmetic is tested without timers.
 */

export interface PaceLimits {
  /** The sliding window, and the longest a download may go without a byte. */
  readonly windowMs: number;
  /** The average the window must reach; 0 watches for stalls only. */
  readonly minBytesPerSecond: number;
}

export type PaceVerdict =
  | { readonly kind: 'stalled'; readonly windowMs: number }
  | { readonly kind: 'slow'; readonly bytesPerSecond: number; readonly windowMs: number; readonly minBytesPerSecond: number };

/** Slots per window: the window slides by a tenth of itself, which bounds memory however fast the bytes come. */
const SLOTS = 10;

export class DownloadPace {
  readonly #limits: PaceLimits;
  readonly #startedAt: number;
  readonly #slotMs: number;
  /** Bytes received per slot, in a ring; one slot more than the window, so the sum always covers a whole window. */
  readonly #slots = new Array<number>(SLOTS + 1).fill(0);
  /** The slot number (counted from the start) that `#slots` was last advanced to. */
  #current = 0;

  constructor(limits: PaceLimits, startedAt: number) {
    this.#limits = limits;
    this.#startedAt = startedAt;
    this.#slotMs = limits.windowMs / SLOTS;
  }

  /** How often `verdict` is worth asking: once a slot. */
  get checkEveryMs(): number {
    return this.#slotMs;
  }

  received(at: number, bytes: number): void {
    this.#advance(at);
    this.#slots[this.#current % this.#slots.length]! += bytes;
  }

  /** Undefined while the download keeps pace (or has not run a full window yet). */
  verdict(at: number): PaceVerdict | undefined {
    this.#advance(at);
    const { windowMs, minBytesPerSecond } = this.#limits;
    if (at - this.#startedAt < windowMs) return undefined;
    // The ring spans between one window and one window plus a slot: a rate
    // worked out over exactly one window errs on the download's side.
    const bytes = this.#slots.reduce((sum, slot) => sum + slot, 0);
    if (bytes === 0) return { kind: 'stalled', windowMs };
    const bytesPerSecond = bytes / (windowMs / 1000);
    if (bytesPerSecond < minBytesPerSecond) return { kind: 'slow', bytesPerSecond, windowMs, minBytesPerSecond };
    return undefined;
  }

  /** Moves the ring to the slot of `at`, emptying the slots that time passed over. */
  #advance(at: number): void {
    const slot = Math.max(this.#current, Math.floor((at - this.#startedAt) / this.#slotMs));
    const passed = Math.min(slot - this.#current, this.#slots.length);
    for (let step = 1; step <= passed; step += 1) this.#slots[(this.#current + step) % this.#slots.length] = 0;
    this.#current = slot;
  }
}
