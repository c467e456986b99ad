/**
 * Lists the files of a folder tree that a watcher cares about, with their
 * size and mtime. Used for what kernel events cannot tell: the files already
 * inside a folder that was created or moved in, and the polling fallback.
 */
import { lstat, readdir, stat } from 'node:fs/promises';
import path from 'node:path';

export interface TreeFile {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

export interface ScanOptions {
  /**
   * Only files added since this time (ms since epoch) are wanted: the files of
   * a folder whose own mtime is older (no entry added since) are not even
   * looked at. Right for trees where files are only ever added, such as
   * ComfyUI's `output/`, which can hold a hundred thousand images.
   */
  readonly addedSince?: number;
}

/**
 * Every file below `dir` (not following symlinked folders, which could loop)
 * whose path `accept` takes. Entries that vanish while the scan runs are
 * skipped; a missing `dir` gives an empty list.
 */
export async function scanTree(dir: string, accept: (file: string) => boolean, options: ScanOptions = {}): Promise<TreeFile[]> {
  const files: TreeFile[] = [];
  const pending = [dir];
  for (let current = pending.pop(); current !== undefined; current = pending.pop()) {
    const entries = await readdir(current, { withFileTypes: true }).catch(ignoreVanished);
    // stat, not lstat: the root itself may be a symlink (an `output/` moved to a bigger disk).
    const wantFiles = options.addedSince === undefined || ((await stat(current).catch(ignoreVanished))?.mtimeMs ?? 0) >= options.addedSince;
    for (const entry of entries ?? []) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        pending.push(full);
        continue;
      }
      if (!wantFiles || !accept(full)) continue;
      const stats = await lstat(full).catch(ignoreVanished);
      if (stats?.isFile()) files.push({ path: full, size: stats.size, mtimeMs: stats.mtimeMs });
    }
  }
  return files;
}

/** A folder or file removed while we looked is not an error, just gone. */
function ignoreVanished(error: unknown): undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
  throw error;
}
