/**
 * Reads a watched file together with the identity of the version read, so
 * that a file seen twice (an event, then a rescan) is handled once.
 */
import { open } from 'node:fs/promises';

export interface FileVersion {
  readonly bytes: Buffer;
  /** `inode:size:mtime`: another save, even of the same size, gives another version. */
  readonly version: string;
  readonly mtimeMs: number;
}

/** The file's bytes, or undefined when it is gone or not a regular file (deleted or renamed away meanwhile). */
export async function readVersion(file: string): Promise<FileVersion | undefined> {
  const handle = await open(file, 'r').catch(ignoreGone);
  if (handle === undefined) return undefined;
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return undefined;
    const bytes = await handle.readFile();
    return { bytes, version: `${stats.ino}:${stats.size}:${stats.mtimeMs}`, mtimeMs: stats.mtimeMs };
  } finally {
    await handle.close();
  }
}

function ignoreGone(error: unknown): undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return undefined;
  throw error;
}
