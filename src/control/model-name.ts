import path from 'node:path';
import { ArenaError } from '../core/arena-error.js';
import { normalizeModelName } from '../core/categories.js';

/**
 * A category/name pair from a request, confined to the library and cache
 * layout: `..`, absolute paths and empty names are refused with E_PATH before
 * any service sees them. (Symlinks that leave a root are refused where the
 * path is opened: the cache tree resolves them.)
 */
export function checkModelName(category: string, name: string): void {
  const whole = `${category}/${name}`;
  if (!/^[\w.-]+$/.test(category) || category === '.' || category === '..') {
    throw new ArenaError('E_PATH', `"${category}" is not a model category`);
  }
  if (path.isAbsolute(name) || /^[A-Za-z]:[\\/]/.test(name) || name.split(/[\\/]/).includes('..') || normalizeModelName(name) === undefined) {
    throw new ArenaError('E_PATH', `"${whole}" leaves the library: names are relative to their category folder, without ".."`);
  }
}

/** `CATEGORY/NAME` from a request (contract/cache.ts `modelKeySchema`), checked like checkModelName. */
export function splitModelKey(key: string): { category: string; name: string } {
  const slash = key.replace(/\\/g, '/').indexOf('/');
  if (slash <= 0 || path.isAbsolute(key)) {
    throw new ArenaError('E_PATH', `"${key}" is not CATEGORY/NAME inside the library, such as loras/style.safetensors`);
  }
  const category = key.slice(0, slash);
  const name = key.slice(slash + 1);
  checkModelName(category, name);
  return { category, name };
}
