import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

/**
 * An incremental sha256 that may run off the main thread. Chunks are hashed
 * in the order update() is called; each update resolves once its chunk's
 * memory may be reused.
 */
export interface Sha256Hasher {
  update(chunk: Buffer): Promise<void>;
  /** The hex digest of everything updated so far. */
  digest(): Promise<string>;
  /** Releases the worker, if any. Safe to call twice, and after digest. */
  close(): Promise<void>;
}

/**
 * Picks where to hash. sha256 runs at about 1 GB/s on this class of CPU,
 * close to disk speed, so hashing a large file on the main thread would
 * serialise with the I/O and stall the event loop; a worker hashes one chunk
 * while the next is read and written. A worker costs ~20 ms to start, which a
 * file of one chunk or less is not worth.
 */
export function createSha256Hasher(totalBytes: number, inlineLimitBytes: number): Sha256Hasher {
  return totalBytes > inlineLimitBytes ? new WorkerSha256Hasher() : new InlineSha256Hasher();
}

export class InlineSha256Hasher implements Sha256Hasher {
  private readonly hash = createHash('sha256');

  update(chunk: Buffer): Promise<void> {
    this.hash.update(chunk);
    return Promise.resolve();
  }

  digest(): Promise<string> {
    return Promise.resolve(this.hash.digest('hex'));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/*
 * The worker's source is inline rather than a module file: tsx's loader does
 * not reach worker threads on Node 20, so a `.ts` worker file would only run
 * after a build, while tests and scripts run from source. Chunks arrive as
 * views on SharedArrayBuffers, so nothing is copied between threads.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
let hash = createHash('sha256');
parentPort.on('message', (message) => {
  if (message.type === 'update') {
    hash.update(new Uint8Array(message.buffer, message.offset, message.length));
    parentPort.postMessage({ type: 'updated' });
  } else {
    parentPort.postMessage({ type: 'digest', hex: hash.digest('hex') });
    hash = createHash('sha256');
  }
});
`;

interface Pending {
  resolve(hex: string | undefined): void;
  reject(error: Error): void;
}

type WorkerReply = { type: 'updated' } | { type: 'digest'; hex: string };

export class WorkerSha256Hasher implements Sha256Hasher {
  private readonly worker = new Worker(WORKER_SOURCE, { eval: true });
  /** Replies come back in the order the requests were posted. */
  private readonly pending: Pending[] = [];
  private failure: Error | undefined;
  private closed = false;

  constructor() {
    this.worker.on('message', (reply: WorkerReply) => {
      this.pending.shift()?.resolve(reply.type === 'digest' ? reply.hex : undefined);
    });
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (exitCode) => {
      if (!this.closed) this.fail(new Error(`The sha256 worker exited unexpectedly with code ${exitCode}`));
    });
  }

  update(chunk: Buffer): Promise<void> {
    if (!(chunk.buffer instanceof SharedArrayBuffer)) {
      throw new TypeError('WorkerSha256Hasher needs chunks backed by a SharedArrayBuffer');
    }
    return this.request({ type: 'update', buffer: chunk.buffer, offset: chunk.byteOffset, length: chunk.length }).then(() => undefined);
  }

  async digest(): Promise<string> {
    const hex = await this.request({ type: 'digest' });
    if (hex === undefined) throw new Error('The sha256 worker answered a digest request without a digest');
    return hex;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.fail(new Error('The sha256 hasher was closed'));
    await this.worker.terminate();
  }

  private request(message: object): Promise<string | undefined> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.worker.postMessage(message);
    });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const pending of this.pending.splice(0)) pending.reject(this.failure);
  }
}
