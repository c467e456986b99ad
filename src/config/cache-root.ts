import fs from 'node:fs/promises';
import { constants } from 'node:fs';
import path from 'node:path';
import { describeSource, type ConfigSource } from './sources.js';

/**
 * Whether `cache.root` can be the cache: a folder this user may write, or
 * one that can be created. The answer is a sentence, never an errno or a
 * stack, because it is shown in `status` and by `arenactl config check`.
 */

/** The errno code of a failed fs call. */
function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

async function statOrCode(file: string): Promise<{ isDirectory: boolean } | string> {
  try {
    return { isDirectory: (await fs.stat(file)).isDirectory() };
  } catch (error) {
    return codeOf(error) ?? String(error);
  }
}

/** Why this user cannot create entries in an existing folder, or undefined when it can. */
async function notWritable(dir: string): Promise<string | undefined> {
  try {
    await fs.access(dir, constants.W_OK | constants.X_OK);
    return undefined;
  } catch (error) {
    const code = codeOf(error);
    if (code === 'EROFS') return `${dir} is on a read-only filesystem`;
    if (code === 'EACCES' || code === 'EPERM') return `permission denied in ${dir}`;
    return `${dir} cannot be written (${code ?? String(error)})`;
  }
}

/** Why `root` cannot be used as the cache, in words; undefined when it can. Creates nothing. */
export async function inspectCacheRoot(root: string): Promise<string | undefined> {
  const target = path.resolve(root);
  const found = await statOrCode(target);
  if (typeof found !== 'string') {
    if (!found.isDirectory) return 'it is a file, not a folder';
    const staging = await statOrCode(path.join(target, '.arena'));
    if (typeof staging !== 'string' && !staging.isDirectory)
      return `${path.join(target, '.arena')}, where arenad keeps its staging and lock, is a file, not a folder`;
    const denied = await notWritable(typeof staging === 'string' ? target : path.join(target, '.arena'));
    return denied === undefined ? undefined : `it is not writable: ${denied}`;
  }
  if (found !== 'ENOENT' && found !== 'ENOTDIR') {
    return found === 'EACCES' ? `it cannot be reached: permission denied on the way to ${target}` : `it cannot be read (${found})`;
  }
  // It does not exist: the nearest thing on its path that does decides whether it can be created.
  for (let ancestor = path.dirname(target); ; ancestor = path.dirname(ancestor)) {
    const state = await statOrCode(ancestor);
    if (typeof state !== 'string') {
      if (!state.isDirectory) return `it cannot be created: ${ancestor} is a file, not a folder`;
      const denied = await notWritable(ancestor);
      return denied === undefined ? undefined : `it cannot be created: ${denied}`;
    }
    if (state === 'EACCES') return `it cannot be created: permission denied on the way to ${ancestor}`;
    if (ancestor === path.dirname(ancestor)) return `it cannot be created (${state})`;
  }
}

/**
 * Creates `<root>/.arena`, where the daemon keeps its staging and lock, and
 * says why not when it cannot, in the words of inspectCacheRoot.
 */
export async function prepareCacheRoot(root: string): Promise<string | undefined> {
  try {
    await fs.mkdir(path.join(root, '.arena'), { recursive: true });
  } catch (error) {
    return (await inspectCacheRoot(root)) ?? `it cannot be created (${codeOf(error) ?? String(error)})`;
  }
  return inspectCacheRoot(root);
}

/** The problem as config check and status print it: key, value, source, reason, and the fix. */
export function cacheRootMessage(root: string, source: ConfigSource, reason: string): string {
  return `cache.root = "${root}" (from ${describeSource(source)}): ${reason}; set cache.root (ARENA_CACHE_ROOT) to a folder on the SSD that the user running arenad may write`;
}
