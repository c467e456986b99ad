import { open } from 'node:fs/promises';
import { DEFAULT_CHUNK_BYTES, pumpChunks } from './chunk-pump.js';
import { createSha256Hasher } from './sha256-hasher.js';

export interface FileDigest {
  /** Bytes hashed: the size when the file was opened, or less if it shrank meanwhile. */
  readonly size: number;
  readonly sha256: string;
}

export interface HashFileOptions {
  readonly signal?: AbortSignal;
  readonly chunkBytes?: number;
  /** Called with the bytes of each chunk once it is hashed, in file order: progress for a long hash. */
  readonly onBytes?: (bytes: number) => void;
}

/**
 * The sha256 of a file, streamed in large chunks with the hashing off the
 * main thread, so that multi-gigabyte models neither fill memory nor stall
 * the event loop. Rejects with the fs error of a failed open or read.
 * The one file hash of the product: the cache, the updater and the
 * migration of old caches all hash through it.
 */
export async function hashFile(path: string, options: HashFileOptions = {}): Promise<FileDigest> {
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const { onBytes } = options;
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const hasher = createSha256Hasher(size, chunkBytes);
    try {
      const bytes = await pumpChunks({
        totalBytes: size,
        chunkBytes,
        depth: 3,
        ...(options.signal ? { signal: options.signal } : {}),
        read: async (buffer, position) => (await handle.read(buffer, 0, buffer.length, position)).bytesRead,
        consume: async (chunk) => {
          await hasher.update(chunk);
          onBytes?.(chunk.length);
        },
      });
      return { size: bytes, sha256: await hasher.digest() };
    } finally {
      await hasher.close();
    }
  } finally {
    await handle.close();
  }
}
