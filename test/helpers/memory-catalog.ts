import type { CatalogEntry, CatalogView } from '../../src/core/catalog-view.js';
import { canonicalCategory, normalizeModelName } from '../../src/core/categories.js';

export interface MemoryFile {
  category: string;
  /** As it would sit under the category folder; `\` and `/` both accepted. */
  name: string;
  size?: number;
  /** The category folder; defaults to `/library/<category>`. */
  folder?: string;
}

/**
 * An in-memory CatalogView for tests. Files are given in lookup order, as the
 * real catalog orders them (cache before library, `clip` after
 * `text_encoders`); a later file with the same category and name is shadowed.
 */
export class MemoryCatalog implements CatalogView {
  private readonly files: CatalogEntry[];

  constructor(files: readonly MemoryFile[]) {
    this.files = files.map((file) => {
      const category = canonicalCategory(file.category);
      const name = normalizeModelName(file.name);
      if (name === undefined) throw new Error(`invalid test file name ${file.name}`);
      const folder = file.folder ?? `/library/${category}`;
      return { category, name, folder, path: `${folder}/${name}`, size: file.size ?? 1000, mtimeMs: 0, available: true };
    });
  }

  lookup(category: string, name: string): CatalogEntry | undefined {
    const wanted = normalizeModelName(name);
    const canonical = canonicalCategory(category);
    return this.files.find((file) => file.category === canonical && file.name === wanted);
  }

  findByName(name: string): CatalogEntry[] {
    const wanted = normalizeModelName(name);
    const byCategory = new Map<string, CatalogEntry>();
    for (const file of this.files) {
      if (file.name === wanted && !byCategory.has(file.category)) byCategory.set(file.category, file);
    }
    return [...byCategory.values()];
  }

  *entries(category?: string): Iterable<CatalogEntry> {
    const canonical = category === undefined ? undefined : canonicalCategory(category);
    const seen = new Set<string>();
    for (const file of this.files) {
      if (canonical !== undefined && file.category !== canonical) continue;
      const key = `${file.category}/${file.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      yield file;
    }
  }
}
