/**
 * What lies in a cache folder of the old nodes. They kept copies as
 * `<root>/<category>/<file>` or `<root>/<category>/<ModelType>/<file>` (SDXL,
 * SD1.5, Flux, ...), wrote partial copies as `<file>.part` next to the
 * target, guarded copies with `*.copying` lock files and kept an
 * `.arena_cache_index.json`. Folders starting with a dot (the daemon's own
 * `.arena/`, a desktop's trash) are not theirs and are not entered.
 */
import type { Dirent } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { hasModelExtension } from '../core/categories.js';
import { errorCode } from '../cache/fs-errors.js';

export const OLD_INDEX_FILE = '.arena_cache_index.json';

export type OldCacheEntry =
  /** A model file that may be a copy of a library file. */
  | {
      readonly kind: 'model';
      readonly path: string;
      /** The category folder as the old nodes named it (`clip`, `unet_models`, ...). */
      readonly folder: string;
      /** The path below the category folder, `/`-separated. */
      readonly rest: string;
      readonly size: number;
      readonly mtimeMs: number;
    }
  /** Bookkeeping of the old nodes: removed by migrate. */
  | { readonly kind: 'leftover'; readonly path: string; readonly size: number; readonly reason: string }
  /** Anything else in a category folder: not a model the daemon could vouch for. */
  | { readonly kind: 'other'; readonly path: string; readonly size: number; readonly reason: string };

function leftoverReason(name: string): string | undefined {
  if (name === OLD_INDEX_FILE) return "the old nodes' cache index";
  if (name.endsWith('.part')) return 'a partial copy the old nodes left behind';
  if (name.endsWith('.copying')) return 'a copy lock the old nodes left behind';
  return undefined;
}

async function entriesOf(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return [];
    throw error;
  }
}

async function sizeOf(file: string): Promise<{ size: number; mtimeMs: number }> {
  const stats = await lstat(file);
  return { size: stats.size, mtimeMs: stats.mtimeMs };
}

async function walk(dir: string, folder: string, prefix: string[], out: OldCacheEntry[]): Promise<void> {
  for (const entry of await entriesOf(dir)) {
    const full = path.join(dir, entry.name);
    const leftover = leftoverReason(entry.name);
    if (leftover !== undefined) {
      out.push({ kind: 'leftover', path: full, size: entry.isFile() ? (await sizeOf(full)).size : 0, reason: leftover });
    } else if (entry.isDirectory()) {
      if (!entry.name.startsWith('.')) await walk(full, folder, [...prefix, entry.name], out);
    } else if (entry.isSymbolicLink()) {
      out.push({ kind: 'other', path: full, size: 0, reason: 'a symbolic link; arenad neither follows nor removes links' });
    } else if (entry.isFile()) {
      const { size, mtimeMs } = await sizeOf(full);
      if (hasModelExtension(entry.name)) out.push({ kind: 'model', path: full, folder, rest: [...prefix, entry.name].join('/'), size, mtimeMs });
      else out.push({ kind: 'other', path: full, size, reason: 'not a model file' });
    }
  }
}

/** Everything of interest under an old cache root; files lying directly in the root are left out, except leftovers. */
export async function scanOldCache(root: string): Promise<OldCacheEntry[]> {
  const out: OldCacheEntry[] = [];
  for (const entry of await entriesOf(root)) {
    const full = path.join(root, entry.name);
    const leftover = leftoverReason(entry.name);
    if (leftover !== undefined) out.push({ kind: 'leftover', path: full, size: entry.isFile() ? (await sizeOf(full)).size : 0, reason: leftover });
    else if (entry.isDirectory() && !entry.name.startsWith('.')) await walk(full, entry.name, [], out);
  }
  return out;
}
