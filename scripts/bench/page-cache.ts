/**
 * The page-cache state of one file, set and checked without touching the rest
 * of the cache (other work on the machine keeps its pages).
 */
import { execFileSync } from 'node:child_process';
import { open } from 'node:fs/promises';

const READ_BYTES = 8 * 1024 * 1024;

/** Reads the whole file once, so its pages are resident ("hot"). */
export async function warmFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(READ_BYTES);
    for (let position = 0; ;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      position += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

/**
 * Drops the file's clean pages ("cold"): GNU dd's `iflag=nocache count=0`
 * calls posix_fadvise(POSIX_FADV_DONTNEED) on the whole file and reads
 * nothing. Dirty pages are not dropped, so flush first (`sync`).
 */
export function dropFile(path: string): void {
  execFileSync('dd', [`if=${path}`, 'iflag=nocache', 'count=0', 'status=none'], { stdio: 'ignore' });
}

/** Flushes every dirty page to disk, so that no run pays for the write-back of the one before. */
export function syncAll(): void {
  execFileSync('sync');
}

/**
 * The fraction of the file resident in the page cache (0..1), from
 * util-linux's fincore (mincore(2)); undefined where fincore is missing.
 */
export function residentFraction(path: string, size: number): number | undefined {
  if (size === 0) return 1;
  try {
    const resident = Number(
      execFileSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', path], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim(),
    );
    return Number.isFinite(resident) ? Math.min(1, resident / size) : undefined;
  } catch {
    return undefined;
  }
}
