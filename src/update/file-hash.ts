import { createHash } from 'node:crypto';
import fs from 'node:fs';

const CHUNK_BYTES = 4 * 1024 * 1024;

/** The sha256 of a file, streamed (models are gigabytes; `readFile` fails at 2 GiB). */
export async function hashFile(file: string, options: { signal?: AbortSignal; onBytes?: (bytes: number) => void } = {}): Promise<string> {
  const hash = createHash('sha256');
  const stream = fs.createReadStream(file, { highWaterMark: CHUNK_BYTES, ...(options.signal ? { signal: options.signal } : {}) });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    options.onBytes?.(chunk.length);
  }
  return hash.digest('hex');
}
