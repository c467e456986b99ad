/**
 * The simulated copier: the copies running at once share the NAS's
 * bandwidth equally (a slow network link is one pipe, however many reads
 * pull on it), so two copies each get half of it. It only does arithmetic:
 * given the running copies, when does the first one finish, and how far does
 * each get by a given time.
 */

export interface SimCopy {
  readonly bytes: number;
  copiedBytes: number;
  readonly startedAt: number;
}

/** Below this many bytes left, a copy counts as done: floating-point dust from sharing the bandwidth. */
const DONE_EPSILON = 1;

export class SimCopier {
  /** Bytes per millisecond, shared by the running copies. */
  readonly #bytesPerMs: number;

  constructor(bandwidthBytesPerSecond: number) {
    this.#bytesPerMs = bandwidthBytesPerSecond / 1000;
  }

  /**
   * When the first of `copies` finishes, from `now` (ms), and which copies
   * finish then; undefined with none running.
   */
  nextFinish(copies: readonly SimCopy[], now: number): { at: number; copies: SimCopy[] } | undefined {
    if (copies.length === 0) return undefined;
    const rate = this.#bytesPerMs / copies.length;
    const least = Math.max(0, Math.min(...copies.map((copy) => copy.bytes - copy.copiedBytes)));
    return { at: now + least / rate, copies: copies.filter((copy) => copy.bytes - copy.copiedBytes <= least + DONE_EPSILON) };
  }

  /** Moves every copy on by `ms` of shared bandwidth. */
  advance(copies: readonly SimCopy[], ms: number): void {
    if (copies.length === 0 || ms <= 0) return;
    const share = (this.#bytesPerMs / copies.length) * ms;
    for (const copy of copies) copy.copiedBytes = Math.min(copy.bytes, copy.copiedBytes + share);
  }

  /** Marks the copies done: what `nextFinish` said finishes, whatever floating-point dust is left. */
  complete(copies: readonly SimCopy[]): void {
    for (const copy of copies) copy.copiedBytes = copy.bytes;
  }
}
