/** Large enough that per-call overhead vanishes next to NAS and SSD throughput. */
export const DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024;

export interface PumpOptions {
  /** Bytes to read, from position 0. */
  totalBytes: number;
  chunkBytes: number;
  /** How many chunks may be read ahead while earlier ones are still being consumed. */
  depth: number;
  signal?: AbortSignal;
  /** Reads into buffer from position; returns the bytes read, 0 at end of file. */
  read(buffer: Buffer, position: number): Promise<number>;
  /**
   * Takes one chunk, in file order. The chunk is a view on a SharedArrayBuffer
   * that is reused for a later chunk as soon as the returned promise settles.
   */
  consume(chunk: Buffer, position: number): Promise<void>;
}

/**
 * Reads a file once, sequentially, in large chunks, and overlaps each read
 * with the consumption of the chunks before it (writing, hashing), through a
 * small pool of reused buffers. Resolves with the bytes read, which is less
 * than totalBytes when the file ended early. On any failure or abort it stops
 * reading, waits for the chunks in flight to settle (so no I/O is still using
 * a file handle the caller is about to close), and then rejects.
 */
export async function pumpChunks(options: PumpOptions): Promise<number> {
  const { totalBytes, signal } = options;
  const chunkBytes = Math.max(1, Math.min(options.chunkBytes, totalBytes));
  const depth = Math.max(1, Math.min(options.depth, Math.ceil(totalBytes / chunkBytes)));
  const free = Array.from({ length: depth }, () => Buffer.from(new SharedArrayBuffer(chunkBytes)));
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  let position = 0;
  try {
    while (position < totalBytes && failure === undefined) {
      signal?.throwIfAborted();
      // A failed chunk ends the copy: waiting on would race an empty set once every chunk has failed, forever.
      while (free.length === 0 && failure === undefined) await Promise.race(inFlight);
      if (failure !== undefined) break;
      const buffer = free.pop()!;
      const wanted = Math.min(chunkBytes, totalBytes - position);
      const filled = await fill(options.read, buffer.subarray(0, wanted), position);
      if (filled === 0) {
        free.push(buffer);
        break;
      }
      const task: Promise<void> = options.consume(buffer.subarray(0, filled), position).then(
        () => {
          inFlight.delete(task);
          free.push(buffer);
        },
        (error: unknown) => {
          inFlight.delete(task);
          free.push(buffer);
          failure ??= { error };
        },
      );
      inFlight.add(task);
      position += filled;
      if (filled < wanted) break;
    }
  } finally {
    await Promise.all(inFlight);
  }
  if (failure !== undefined) throw failure.error;
  return position;
}

/** Network filesystems may return short reads; keep reading until the view is full or the file ends. */
async function fill(read: PumpOptions['read'], view: Buffer, position: number): Promise<number> {
  let filled = 0;
  while (filled < view.length) {
    const bytes = await read(view.subarray(filled), position + filled);
    if (bytes === 0) break;
    filled += bytes;
  }
  return filled;
}
