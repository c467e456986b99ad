/**
 * Which library file an old cached copy is a copy of: by name, then size,
 * then sha256. The name may have moved: the old nodes wrote some copies
 * under a model-type folder (`checkpoints/SDXL/x.safetensors` for the
 * library's `checkpoints/x.safetensors`) and used their own category names
 * (`unet_models`, `gguf_models`), so candidates are tried from the most
 * literal reading to the same file name anywhere in the library.
 */
import path from 'node:path';
import type { CatalogEntry, CatalogView } from '../core/catalog-view.js';
import { categoryName } from '../core/categories.js';
import { hashFile } from '../cache/hash-file.js';
import type { OldCacheEntry } from './legacy-cache.js';

type OldModel = Extract<OldCacheEntry, { kind: 'model' }>;

export type MatchVerdict =
  { readonly kind: 'match'; readonly entry: CatalogEntry; readonly sha256: string } | { readonly kind: 'unmatched'; readonly reason: string };

/** Hashes each file once, however many old copies are compared with it. */
export class DigestCache {
  readonly #digests = new Map<string, Promise<string>>();

  sha256(file: string): Promise<string> {
    let digest = this.#digests.get(file);
    if (digest === undefined) {
      digest = hashFile(file).then((result) => result.sha256);
      this.#digests.set(file, digest);
    }
    return digest;
  }
}

function candidatesFor(file: OldModel, catalog: CatalogView): CatalogEntry[] {
  const category = categoryName(file.folder);
  const segments = file.rest.split('/');
  const baseName = segments.at(-1)!;
  const found: Array<CatalogEntry | undefined> = [
    catalog.lookup(category, file.rest),
    segments.length > 1 ? catalog.lookup(category, segments.slice(1).join('/')) : undefined,
  ];
  const sameName = (entry: CatalogEntry) => path.posix.basename(entry.name) === baseName;
  found.push(...[...catalog.entries(category)].filter(sameName));
  if (!found.some((entry) => entry !== undefined)) found.push(...[...catalog.entries()].filter(sameName));
  const unique = new Map<string, CatalogEntry>();
  for (const entry of found) if (entry?.available && !unique.has(entry.path)) unique.set(entry.path, entry);
  return [...unique.values()];
}

/** The library file this old copy is byte for byte, or why there is none. */
export async function matchOldFile(file: OldModel, catalog: CatalogView, digests: DigestCache): Promise<MatchVerdict> {
  const candidates = candidatesFor(file, catalog);
  if (candidates.length === 0) return { kind: 'unmatched', reason: `the library has no model named ${path.posix.basename(file.rest)}` };
  const sized = candidates.filter((entry) => entry.size === file.size);
  if (sized.length === 0) {
    const first = candidates[0]!;
    return { kind: 'unmatched', reason: `it has ${file.size} bytes, the library's ${first.category}/${first.name} has ${first.size}` };
  }
  const sha256 = await digests.sha256(file.path);
  for (const entry of sized) {
    if ((await digests.sha256(entry.path)) === sha256) return { kind: 'match', entry, sha256 };
  }
  return { kind: 'unmatched', reason: 'its content differs from the library file of the same name and size' };
}
