/**
 * Cuts a byte stream into `\n`-terminated lines without ever holding more
 * than `maxLineBytes` of one line: a longer line is reported once and its
 * remaining bytes are skipped up to the next newline, so the stream stays
 * usable after it.
 */
export type SplitItem = { kind: 'line'; line: Buffer } | { kind: 'too-large' };

export class LineSplitter {
  readonly #maxLineBytes: number;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #skipping = false;

  constructor(maxLineBytes: number) {
    this.#maxLineBytes = maxLineBytes;
  }

  push(chunk: Buffer): SplitItem[] {
    const items: SplitItem[] = [];
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline === -1 ? chunk.length : newline;
      if (!this.#skipping) {
        const piece = chunk.subarray(start, end);
        if (this.#pendingBytes + piece.length > this.#maxLineBytes) {
          items.push({ kind: 'too-large' });
          this.#pending = [];
          this.#pendingBytes = 0;
          this.#skipping = newline === -1;
        } else if (newline === -1) {
          if (piece.length > 0) {
            this.#pending.push(Buffer.from(piece));
            this.#pendingBytes += piece.length;
          }
        } else {
          items.push({ kind: 'line', line: Buffer.concat([...this.#pending, piece]) });
          this.#pending = [];
          this.#pendingBytes = 0;
        }
      } else if (newline !== -1) {
        this.#skipping = false;
      }
      if (newline === -1) return items;
      start = newline + 1;
    }
  }
}
