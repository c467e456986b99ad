/** Large enough that per-call overhead vanishes next to NAS and SSD throughput. */
export const DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * What O_DIRECT asks of a write: its memory address, length and file offset
 * all multiples of the device's logical block size, which is 512 or 4096
 * bytes; 4096 satisfies both.
 */
export const DIRECT_IO_ALIGNMENT = 4096;

export interface PumpOptions {
  /** Bytes to read, from position 0. */
  totalBytes: number;
  chunkBytes: number;
  /** How many chunks may be read ahead while earlier ones are still being consumed. */
  depth: number;
  /**
   * Read into page-aligned memory, so that chunks can be written with
   * O_DIRECT (see isDirectIoAligned). Falls back to ordinary shared memory
   * where aligned memory cannot be had.
   */
  alignedBuffers?: boolean;
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
  const free = (options.alignedBuffers ? alignedSharedBuffers(depth, chunkBytes) : undefined) ?? sharedBuffers(depth, chunkBytes);
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
      const filled = await fill((view, at) => options.read(view, at), buffer.subarray(0, wanted), position);
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

function sharedBuffers(count: number, bytes: number): Buffer[] {
  return Array.from({ length: count }, () => Buffer.from(new SharedArrayBuffer(bytes)));
}

const WASM_PAGE_BYTES = 64 * 1024;
const WASM_MAX_PAGES = 65536;

/** The one piece of the WebAssembly API used here (this project's TypeScript libs do not declare it). */
interface WasmMemoryApi {
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => { readonly buffer: SharedArrayBuffer };
}

/** The memories handed out by alignedSharedBuffers: only views on these are known to start page-aligned. */
const alignedMemories = new WeakSet<ArrayBufferLike>();

/**
 * `count` buffers of `bytes` each, views on one shared WebAssembly memory.
 * JavaScript has no other way to get page-aligned memory: a SharedArrayBuffer
 * comes from malloc and starts 16 bytes into a page, which O_DIRECT refuses,
 * while V8 maps every WebAssembly memory on its own pages. (It also reserves
 * about 10 GiB of address space behind each one as a guard, which costs no
 * memory, and releases it when the memory is collected.) The memory is
 * shared so that the hash worker can read the chunks without a copy.
 * Undefined where no such memory can be made (WebAssembly disabled by
 * `--jitless`, address space exhausted) or where it would serve no purpose.
 */
function alignedSharedBuffers(count: number, bytes: number): Buffer[] | undefined {
  // Chunks that are not whole blocks could never be written with O_DIRECT (a small file is one such chunk).
  if (bytes % DIRECT_IO_ALIGNMENT !== 0) return undefined;
  const pages = Math.ceil((count * bytes) / WASM_PAGE_BYTES);
  if (pages > WASM_MAX_PAGES) return undefined;
  const wasm = (globalThis as { WebAssembly?: WasmMemoryApi }).WebAssembly;
  if (wasm === undefined) return undefined;
  let memory: SharedArrayBuffer;
  try {
    memory = new wasm.Memory({ initial: pages, maximum: pages, shared: true }).buffer;
  } catch {
    // No such memory here (see above): the caller uses ordinary shared buffers.
    return undefined;
  }
  alignedMemories.add(memory);
  return Array.from({ length: count }, (_, index) => Buffer.from(memory, index * bytes, bytes));
}

/**
 * Whether O_DIRECT may write this view: it lies in memory from
 * alignedSharedBuffers, and its start and length are multiples of
 * DIRECT_IO_ALIGNMENT. (The file offset is the writer's to check.)
 */
export function isDirectIoAligned(view: Buffer): boolean {
  return (
    alignedMemories.has(view.buffer) && view.byteOffset % DIRECT_IO_ALIGNMENT === 0 && view.length % DIRECT_IO_ALIGNMENT === 0 && view.length > 0
  );
}
