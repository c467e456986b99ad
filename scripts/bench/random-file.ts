import { randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';

const CHUNK_BYTES = 16 * 1024 * 1024;

/** Writes `bytes` random (incompressible, non-sparse) bytes to path. */
export async function writeRandomFile(path: string, bytes: number): Promise<void> {
  const handle = await open(path, 'w');
  try {
    for (let written = 0; written < bytes;) {
      const chunk = randomBytes(Math.min(CHUNK_BYTES, bytes - written));
      await handle.write(chunk, 0, chunk.length, written);
      written += chunk.length;
    }
  } finally {
    await handle.close();
  }
}
