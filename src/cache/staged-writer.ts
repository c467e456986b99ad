import type { FileHandle } from 'node:fs/promises';
import type { CopyIo } from './copy-io.js';

/**
 * Writes a copy's chunks into its staging file: one write at a time, and a
 * background fsync after every flushEveryBytes, so the disk writes while the
 * copy goes on. Without it, a multi-gigabyte model sits dirty in the page
 * cache until the final fsync, which then takes as long again and stalls
 * other writers (ComfyUI among them) behind the flush.
 */
export class StagedWriter {
  private readonly io: CopyIo;
  private readonly handle: FileHandle;
  private readonly flushEveryBytes: number;
  private previousWrite: Promise<void> = Promise.resolve();
  private unflushedBytes = 0;
  private flushing: Promise<void> | undefined;
  private flushFailure: { error: unknown } | undefined;

  constructor(io: CopyIo, handle: FileHandle, flushEveryBytes: number) {
    this.io = io;
    this.handle = handle;
    this.flushEveryBytes = flushEveryBytes;
  }

  /**
   * Queues a chunk; resolves once it is written. Concurrent pwrites to one
   * file contend in the kernel and measured at half the throughput, so
   * writes run one after the other while reads and hashing overlap them.
   */
  write(chunk: Buffer, position: number): Promise<void> {
    const written = this.previousWrite.then(async () => {
      await writeFully(this.io, this.handle, chunk, position);
      this.unflushedBytes += chunk.length;
      if (this.unflushedBytes >= this.flushEveryBytes && this.flushing === undefined) this.flushInBackground();
    });
    this.previousWrite = written;
    return written;
  }

  /** Resolves when everything written is on disk: waits for the writes and flushes in flight, then fsyncs. */
  async finish(): Promise<void> {
    await this.previousWrite;
    await this.flushing;
    if (this.flushFailure !== undefined) throw this.flushFailure.error;
    await this.io.sync(this.handle);
  }

  /** Waits for every operation in flight to end, whatever its outcome, so that the handle can be closed. */
  async settle(): Promise<void> {
    await this.previousWrite.catch(() => undefined);
    await this.flushing;
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

/** pwrite may write less than asked (rare on local disks, possible on others); write the rest. */
async function writeFully(io: CopyIo, target: FileHandle, chunk: Buffer, position: number): Promise<void> {
  let written = 0;
  while (written < chunk.length) {
    const bytes = await io.write(target, chunk.subarray(written), position + written);
    if (bytes <= 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
    written += bytes;
  }
}
