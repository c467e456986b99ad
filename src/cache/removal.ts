import { lstat, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseModelKey } from '../core/categories.js';
import { isInside, type CacheTree } from './cache-tree.js';
import { PathError } from './errors.js';
import { errorCode } from './fs-errors.js';
import type { Ledger } from './ledger.js';

/** A change made to the cache, and why: eviction, invalidation, or a file gone by hand. */
export interface CacheChange {
  readonly key: string;
  readonly reason: string;
}

export interface RemovedCopy extends CacheChange {
  readonly category: string;
  readonly name: string;
  readonly path: string;
  /** Bytes the file held; 0 when it was already gone. */
  readonly bytes: number;
}

/**
 * Removes a cached copy: unlinks the file, drops its ledger entry, and
 * removes the folders inside its category that this left empty. A process
 * that has the file open (ComfyUI loading it) keeps reading it; Linux frees
 * the space when the last handle closes. The path is confined to the cache
 * root, symlinks included, so a tampered tree cannot make this delete a
 * library file.
 */
export async function removeCachedCopy(tree: CacheTree, ledger: Ledger, key: string, reason: string): Promise<RemovedCopy> {
  const entry = ledger.get(key);
  const parsed = entry ?? parseModelKey(key);
  if (parsed === undefined) throw new PathError(key, 'it is not a category/name key');
  const path = await tree.confinedPathOf(parsed.category, parsed.name);
  const bytes = await unlinkAndPrune(tree, path);
  ledger.delete(key);
  return { key, category: parsed.category, name: parsed.name, path, bytes, reason };
}

/**
 * Unlinks one file of the cache tree, then each parent folder left empty, up
 * to but not including the category folder, which ComfyUI's folder list
 * names and so must stay. Returns the bytes the file held.
 */
export async function unlinkAndPrune(tree: CacheTree, path: string): Promise<number> {
  const categoryDir = categoryFolderOf(tree, path);
  let bytes = 0;
  try {
    bytes = (await lstat(path)).size;
    await unlink(path);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
  for (let dir = dirname(path); dir !== categoryDir && isInside(categoryDir, dir); dir = dirname(dir)) {
    try {
      await rmdir(dir);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOENT') continue;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') break;
      throw error;
    }
  }
  return bytes;
}

function categoryFolderOf(tree: CacheTree, path: string): string {
  if (!isInside(tree.root, path) || path === tree.root) throw new PathError(path, 'it is not inside the cache root');
  const category = path.slice(tree.root.length + 1).split(/[\\/]/)[0]!;
  return join(tree.root, category);
}

/**
 * The cheap periodic check: one stat per ledger entry. A file deleted by
 * hand loses its entry; a file whose size no longer matches (overwritten in
 * place) is removed with its entry, because the cache must not serve it.
 */
export async function detectRemovedFiles(tree: CacheTree, ledger: Ledger): Promise<CacheChange[]> {
  const changes: CacheChange[] = [];
  for (const entry of ledger.entries()) {
    const key = `${entry.category}/${entry.name}`;
    let size: number;
    try {
      size = (await stat(tree.pathOf(entry.category, entry.name))).size;
    } catch (error) {
      const code = errorCode(error);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
      ledger.delete(key);
      changes.push({ key, reason: 'the cached file was deleted outside the daemon' });
      continue;
    }
    if (size !== entry.size) {
      const reason = `the cached file was changed outside the daemon (${size} bytes, the ledger says ${entry.size})`;
      await removeCachedCopy(tree, ledger, key, reason);
      changes.push({ key, reason });
    }
  }
  return changes;
}
