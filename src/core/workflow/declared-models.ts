import { canonicalCategory, normalizeModelName } from '../categories.js';
import { isRecord } from './json-value.js';

/**
 * The `models: [{name, url, directory}]` lists that the frontend keeps on a
 * node's `properties` and at the top of a UI workflow. They say which
 * category (folder) a custom node's model file belongs to.
 */
export class DeclaredModels {
  private readonly directories = new Map<string, string>();

  constructor(models: unknown) {
    if (!Array.isArray(models)) return;
    for (const model of models) {
      if (!isRecord(model)) continue;
      const { name, directory } = model;
      if (typeof name !== 'string' || typeof directory !== 'string' || directory.trim() === '') continue;
      const key = normalizeModelName(name);
      if (key !== undefined && !this.directories.has(key)) this.directories.set(key, canonicalCategory(directory.trim()));
    }
  }

  static readonly none = new DeclaredModels(undefined);

  /** The declared category of a model name (matched with `/` and `\` alike), if any. */
  categoryOf(name: string): string | undefined {
    const key = normalizeModelName(name);
    return key === undefined ? undefined : this.directories.get(key);
  }
}
