import { readdir } from 'node:fs/promises';
import { CATEGORY_FOLDERS, canonicalCategory } from '../core/categories.js';

/** Keys of extra_model_paths.yaml that name no model category. */
const NOT_MODEL_CATEGORIES = new Set(['custom_nodes', 'base_path', 'is_default']);

function isCustomCategory(name: string): boolean {
  return (
    /^[\w.-]+$/.test(name) &&
    !name.startsWith('.') &&
    !NOT_MODEL_CATEGORIES.has(name) &&
    canonicalCategory(name) === name &&
    !Object.hasOwn(CATEGORY_FOLDERS, name)
  );
}

/** Top-level folders of the cache root: categories the daemon has cached into. */
async function cacheFolders(cacheRoot: string): Promise<string[]> {
  try {
    return (await readdir(cacheRoot, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch {
    return [];
  }
}

/**
 * The categories the cache section lists: every category ComfyUI knows, in
 * the table's order, then the custom ones (`ipadapter`, ...) that the library
 * has or the cache already holds, so that ComfyUI also finds their cached
 * copies. Each is its own folder name under the cache root.
 */
export async function linkCategories(cacheRoot: string, libraryCategories: Iterable<string>): Promise<string[]> {
  const custom = new Set<string>();
  for (const name of [...libraryCategories, ...(await cacheFolders(cacheRoot))]) {
    if (isCustomCategory(name)) custom.add(name);
  }
  return [...Object.keys(CATEGORY_FOLDERS), ...[...custom].sort()];
}
