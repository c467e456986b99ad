import { CATEGORY_FOLDERS, canonicalCategory, isKnownCategory } from '../core/categories.js';

/** What every category beyond the cap is counted as. */
export const OTHER_CATEGORY = 'other';

/** Custom categories (from custom nodes) that get a label of their own before the rest become `other`. */
export const DEFAULT_CUSTOM_CATEGORY_CAP = 10;

export const KNOWN_CATEGORY_LABELS: readonly string[] = Object.keys(CATEGORY_FOLDERS);

/**
 * The `category` label of a model. ComfyUI's own categories are a fixed
 * set; custom nodes may add any folder name, so only the first few custom
 * categories seen keep their name and every later one is `other`. That keeps
 * the number of series bounded, whatever a library holds. A category keeps
 * the label it first got for the life of the process, so a series never
 * changes meaning between scrapes.
 */
export class CategoryLabels {
  readonly #cap: number;
  readonly #custom = new Set<string>();

  constructor(cap = DEFAULT_CUSTOM_CATEGORY_CAP) {
    this.#cap = cap;
  }

  labelOf(category: string): string {
    const canonical = canonicalCategory(category);
    if (isKnownCategory(canonical) || this.#custom.has(canonical)) return canonical;
    // A label must be a plain word: anything odd is not worth a series of its own.
    if (this.#custom.size >= this.#cap || !/^[\w.-]{1,64}$/.test(canonical)) return OTHER_CATEGORY;
    this.#custom.add(canonical);
    return canonical;
  }
}
