import type { FileHandle } from 'node:fs/promises';
import { DIRECT_IO_ALIGNMENT, isDirectIoAligned } from './chunk-pump.js';
import type { CopyIo } from './copy-io.js';
import { errorCode } from './fs-errors.js';

/**
 * Writes a copy's chunks into its staging file, one write at a time.
 *
 * Where it has an O_DIRECT handle on the file, every chunk that is aligned
 * for it (all but the tail, when the chunks come from the pump's aligned
 * buffers) goes straight from the chunk's memory to the disk. That skips the
 * copy into the page cache, which measured as the largest CPU cost of the
 * whole copy (on a VM, touching fresh page-cache memory is slow as well),
 * and it leaves no dirty pages behind: nothing for the final fsync to wait
 * for but the tail and the metadata, and no stall for other writers
 * (ComfyUI among them) behind the flush of a multi-gigabyte model.
 *
 * Everything else goes through the page cache, with a background fsync
 * after every flushEveryBytes of it, so that the disk writes while the copy
 * goes on and the page cache never holds gigabytes of dirty model: a
 * filesystem or platform without O_DIRECT, a chunk that is not aligned, or
 * a direct write refused with EINVAL (an alignment stricter than 4096
 * bytes), after which the copy stays with the page cache.
 */
export class StagedWriter {
  private readonly io: CopyIo;
  private readonly handle: FileHandle;
  private readonly flushEveryBytes: number;
  private direct: FileHandle | undefined;
  /** Closed once, by close(); kept apart from `direct`, which is dropped when the filesystem refuses it. */
  private readonly directHandle: FileHandle | undefined;
  private previousWrite: Promise<void> = Promise.resolve();
  private unflushedBytes = 0;
  private flushing: Promise<void> | undefined;
  private flushFailure: { error: unknown } | undefined;

  /** `direct`: an O_DIRECT handle on the same file, which the writer then owns and closes. */
  constructor(io: CopyIo, handle: FileHandle, flushEveryBytes: number, direct?: FileHandle) {
    this.io = io;
    this.handle = handle;
    this.flushEveryBytes = flushEveryBytes;
    this.direct = direct;
    this.directHandle = direct;
  }

  /**
   * Queues a chunk; resolves once it is written. Concurrent pwrites to one
   * file contend in the kernel and measured at half the throughput, so
   * writes run one after the other while reads and hashing overlap them.
   */
  write(chunk: Buffer, position: number): Promise<void> {
    const written = this.previousWrite.then(async () => {
      for (let done = 0; done < chunk.length;) {
        // pwrite may write less than asked (rare on local disks, possible on others); write the rest.
        const bytes = await this.writeSome(chunk.subarray(done), position + done);
        if (bytes <= 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
        done += bytes;
      }
    });
    this.previousWrite = written;
    return written;
  }

  /** Resolves when everything written is on disk: waits for the writes and flushes in flight, then fsyncs. */
  async finish(): Promise<void> {
    await this.previousWrite;
    await this.flushing;
    if (this.flushFailure !== undefined) throw this.flushFailure.error;
    // One fsync of the file covers both handles: the page-cache tail, the metadata of the direct writes, the disk's cache.
    await this.io.sync(this.handle);
  }

  /** Waits for every operation in flight to end, whatever its outcome, so that the handles can be closed. */
  async settle(): Promise<void> {
    // A failed write already rejected the write() its caller awaits; here only its end matters.
    await this.previousWrite.catch(() => undefined);
    await this.flushing;
  }

  /** Closes the O_DIRECT handle, if any; call after finish() or settle(). The other handle is the caller's. */
  async close(): Promise<void> {
    await this.directHandle?.close();
  }

  private async writeSome(view: Buffer, position: number): Promise<number> {
    if (this.direct !== undefined && position % DIRECT_IO_ALIGNMENT === 0 && isDirectIoAligned(view)) {
      try {
        return await this.io.write(this.direct, view, position);
      } catch (error) {
        if (errorCode(error) !== 'EINVAL') throw error;
        this.direct = undefined;
      }
    }
    const bytes = await this.io.write(this.handle, view, position);
    this.unflushedBytes += Math.max(0, bytes);
    if (this.unflushedBytes >= this.flushEveryBytes && this.flushing === undefined) this.flushInBackground();
    return bytes;
  }

  private flushInBackground(): void {
    this.unflushedBytes = 0;
    this.flushing = this.io.sync(this.handle).then(
      () => {
        this.flushing = undefined;
      },
      (error: unknown) => {
        this.flushFailure ??= { error };
        this.flushing = undefined;
      },
    );
  }
}
