/**
 * What the rest of the product may ask of the library catalog. The catalog
 * itself lives in `src/library/`; core logic (resolution, policy) works
 * against this read-only view so that it stays free of I/O.
 */

export interface CatalogEntry {
  /** Canonical category (`text_encoders`, never the alias `clip`). */
  readonly category: string;
  /** Name relative to its category folder, `/`-separated, as ComfyUI lists it. */
  readonly name: string;
  /** The category folder the file was found in (absolute). */
  readonly folder: string;
  /** Absolute path of the file. */
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  /** False while the file's root is unreachable (a NAS that went away). */
  readonly available: boolean;
}

export interface CatalogView {
  /**
   * The file ComfyUI would load for `category`/`name`: the first in lookup
   * order. The name is matched in normalised form (`\` equals `/`).
   */
  lookup(category: string, name: string): CatalogEntry | undefined;
  /** Every category holding a file of this normalised name, each with its first entry. */
  findByName(name: string): CatalogEntry[];
  /** First-in-order entries of a category (or of all categories). */
  entries(category?: string): Iterable<CatalogEntry>;
}
