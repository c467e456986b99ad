import { statfs } from 'node:fs/promises';

export interface FreeSpace {
  /** Bytes an unprivileged writer may still use (statfs `bavail`), the conservative figure. */
  readonly freeBytes: number;
  readonly totalBytes: number;
}

/** Free and total bytes of the filesystem that holds path (the cache root, for the quota). */
export async function freeSpace(path: string): Promise<FreeSpace> {
  const stats = await statfs(path);
  return { freeBytes: stats.bavail * stats.bsize, totalBytes: stats.blocks * stats.bsize };
}
