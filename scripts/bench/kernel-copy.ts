/**
 * The design the copier does not use, kept here to be measured beside it:
 * the bytes copied by the kernel (`fs.copyFile`, which is copy_file_range
 * on Linux, as `cp` does) into a staging file, while a worker thread hashes
 * the source from the page cache; then fsync, rename, and an fsync of the
 * folder, as the copier does. It cannot be aborted and has no progress, and
 * its digest is of a second read of the source, not of the bytes written.
 */
import { copyFile, open, rename } from 'node:fs/promises';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

/** Plain JavaScript, evaluated in the worker (tsx does not reach workers on Node 20). */
const HASH_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const { createHash } = require('node:crypto');
const fd = openSync(workerData.path, 'r');
const buffer = Buffer.allocUnsafe(8 * 1024 * 1024);
const hash = createHash('sha256');
for (let position = 0; ; ) {
  const bytes = readSync(fd, buffer, 0, buffer.length, position);
  if (bytes === 0) break;
  hash.update(buffer.subarray(0, bytes));
  position += bytes;
}
closeSync(fd);
parentPort.postMessage(hash.digest('hex'));
`;

function hashInWorker(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(HASH_WORKER, { eval: true, workerData: { path: file } });
    // The digest is handed over once the worker is gone, so no thread outlives the copy; failing to stop it fails the copy.
    worker.once('message', (digest: string) => {
      worker.terminate().then(() => resolve(digest), reject);
    });
    worker.once('error', reject);
  });
}

async function fsync(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Copies source to target through a staging file beside it; resolves with the source's sha256. */
export async function kernelCopyWithHash(source: string, target: string): Promise<string> {
  const staging = `${target}.part`;
  const [digest] = await Promise.all([hashInWorker(source), copyFile(source, staging)]);
  await fsync(staging);
  await rename(staging, target);
  await fsync(path.dirname(target));
  return digest;
}
