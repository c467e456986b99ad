/**
 * Resolving workflow references against a catalog snapshot: which library
 * file ComfyUI would load for each reference, or why none.
 */
import type { CatalogEntry, CatalogView } from './catalog-view.js';
import { modelKey, normalizeModelName } from './categories.js';
import { closestMatch, didYouMean } from './did-you-mean.js';
import type { ModelRef, ParsedWorkflow } from './workflow/index.js';

export interface ResolvedRef extends ModelRef {
  /** Present only when the reference resolved: the file ComfyUI would load. */
  path?: string;
  /** `category/name` of that file (with the extension the catalog found, for embeddings and taesd). */
  key?: string;
  bytes?: number;
}

export type UnresolvedReason = 'not-found' | 'ambiguous-category' | 'invalid-name';

export interface UnresolvedRef extends ModelRef {
  reason: UnresolvedReason;
  /** One line: what is missing, where it is used, and what to do. */
  message: string;
  /** For an ambiguous category: the keys of the files the name could mean. */
  candidates?: string[];
  /** For a name not found: the key of a library file with a near name, likely what was meant. */
  suggestion?: string;
}

export interface Resolution {
  /** Every active reference, with its file when it resolved. */
  refs: ResolvedRef[];
  /** References of muted or bypassed nodes, resolved the same way (they are not needed now, but may be soon). */
  inactive: ResolvedRef[];
  /** The active references that did not resolve. */
  unresolved: UnresolvedRef[];
}

/** Extensions ComfyUI tries after an embedding name, in order. */
const EMBEDDING_EXTENSIONS = ['', '.safetensors', '.pt', '.bin'] as const;

export function resolveWorkflow(parsed: ParsedWorkflow, catalog: CatalogView): Resolution {
  const resolver = new RefResolver(catalog);
  const refs: ResolvedRef[] = [];
  const unresolved: UnresolvedRef[] = [];
  for (const ref of parsed.refs) {
    const outcome = resolver.resolve(ref);
    refs.push(outcome.ref);
    if (outcome.problem !== undefined) unresolved.push(outcome.problem);
  }
  return { refs, inactive: parsed.inactive.map((ref) => resolver.resolve(ref).ref), unresolved };
}

interface Outcome {
  ref: ResolvedRef;
  problem?: UnresolvedRef;
}

/** One resolution pass; caches the category listings it searches. */
class RefResolver {
  /** Embeddings by the last segment of their name, each list in catalog order. */
  private embeddingsByBaseName: Map<string, CatalogEntry[]> | undefined;
  private vaeApprox: CatalogEntry[] | undefined;
  private readonly listings = new Map<string, CatalogEntry[]>();

  constructor(private readonly catalog: CatalogView) {}

  resolve(ref: ModelRef): Outcome {
    const name = normalizeModelName(ref.name);
    if (name === undefined) {
      return unresolved(
        ref,
        'invalid-name',
        `${describe(ref)} is not a valid model name: it is empty or climbs out of its folder with ".."; fix it in the workflow`,
      );
    }
    if (ref.via === 'embedding') {
      const tried = EMBEDDING_EXTENSIONS.map((extension) => `${ref.name}${extension}`).join(', ');
      return this.found(ref, this.findEmbedding(name)) ?? this.notFound(ref, ` (looked for ${tried} in embeddings and its subfolders)`);
    }
    if (ref.via === 'taesd') return this.found(ref, this.findTaesdHalf(name)) ?? this.notFound(ref, ` (no file named ${ref.name}.*)`);
    if (ref.category !== null) return this.found(ref, this.catalog.lookup(ref.category, name)) ?? this.notFound(ref);
    return this.resolveByName(ref, name);
  }

  /** A reference whose workflow does not say the category: the catalog decides, if it can. */
  private resolveByName(ref: ModelRef, name: string): Outcome {
    const matches = this.catalog.findByName(name);
    const only = matches.length === 1 ? matches[0] : undefined;
    if (only !== undefined) return this.found(ref, only)!;
    if (matches.length === 0) return this.notFound(ref, ' in any category');
    const candidates = matches.map((entry) => modelKey(entry.category, entry.name) ?? `${entry.category}/${entry.name}`);
    return unresolved(
      ref,
      'ambiguous-category',
      `${describe(ref)} is in several categories (${candidates.join(', ')}) and the workflow does not say which; add properties.models with a directory to the node, or prefetch by key`,
      candidates,
    );
  }

  private found(ref: ModelRef, entry: CatalogEntry | undefined): Outcome | undefined {
    if (entry === undefined) return undefined;
    const key = modelKey(entry.category, entry.name);
    // Built field by field: a spread of references from many node readers (of as many shapes) was the slowest step here.
    const resolved: ResolvedRef = { category: entry.category, name: ref.name, nodeId: ref.nodeId, nodeType: ref.nodeType, via: ref.via };
    if (ref.input !== undefined) resolved.input = ref.input;
    resolved.path = entry.path;
    resolved.bytes = entry.size;
    if (key !== undefined) resolved.key = key;
    return { ref: resolved };
  }

  private notFound(ref: ModelRef, detail = ''): Outcome {
    const suggestion = ref.via === 'taesd' ? undefined : this.nearName(ref);
    const hint = didYouMean(suggestion);
    const outcome = unresolved(
      ref,
      'not-found',
      `${describe(ref)} is not in the library${detail}${hint}; add the file to a library root or fix the name in the workflow`,
    );
    if (suggestion !== undefined) outcome.problem!.suggestion = suggestion;
    return outcome;
  }

  /** The key of the library file whose name is nearest the reference's. */
  private nearName(ref: ModelRef): string | undefined {
    return nearestModelKey(this.listing(ref.via === 'embedding' ? 'embeddings' : ref.category), ref.name);
  }

  /** A category's entries (or every entry), listed once per resolution pass. */
  private listing(category: string | null): CatalogEntry[] {
    const key = category ?? '';
    let entries = this.listings.get(key);
    if (entries === undefined) {
      entries = [...(category === null ? this.catalog.entries() : this.catalog.entries(category))];
      this.listings.set(key, entries);
    }
    return entries;
  }

  /** NAME, then NAME with each extension, at the top of embeddings; then the same in any subfolder. */
  private findEmbedding(name: string): CatalogEntry | undefined {
    for (const extension of EMBEDDING_EXTENSIONS) {
      const entry = this.catalog.lookup('embeddings', `${name}${extension}`);
      if (entry !== undefined) return entry;
    }
    // A prompt can name thousands of embeddings: look in the index rather than scan the category for each.
    const byBaseName = (this.embeddingsByBaseName ??= indexByBaseName(this.catalog.entries('embeddings')));
    for (const extension of EMBEDDING_EXTENSIONS) {
      const wanted = `${name}${extension}`;
      const suffix = `/${wanted}`;
      const entry = byBaseName.get(baseName(wanted))?.find((candidate) => candidate.name.endsWith(suffix));
      if (entry !== undefined) return entry;
    }
    return undefined;
  }

  /** ComfyUI takes the first vae_approx file whose name starts with `taesd_encoder.` (and so on). */
  private findTaesdHalf(name: string): CatalogEntry | undefined {
    this.vaeApprox ??= [...this.catalog.entries('vae_approx')];
    return this.vaeApprox.find((entry) => entry.name.startsWith(`${name}.`));
  }
}

/**
 * The key of the file whose name is nearest `name` (a typo, a version
 * number off by one): by whole name first, then by file name alone, since a
 * workflow from another machine often has the file in another subfolder.
 */
export function nearestModelKey(entries: Iterable<CatalogEntry>, name: string): string | undefined {
  const normalized = normalizeModelName(name);
  if (normalized === undefined) return undefined;
  const byName = new Map<string, CatalogEntry>();
  const byBaseName = new Map<string, CatalogEntry>();
  for (const entry of entries) {
    byName.set(entry.name, entry);
    if (!byBaseName.has(baseName(entry.name))) byBaseName.set(baseName(entry.name), entry);
  }
  const whole = closestMatch(normalized, byName.keys());
  const near = whole !== undefined ? byName.get(whole) : byBaseName.get(closestMatch(baseName(normalized), byBaseName.keys()) ?? '');
  return near === undefined ? undefined : modelKey(near.category, near.name);
}

function baseName(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

function indexByBaseName(entries: Iterable<CatalogEntry>): Map<string, CatalogEntry[]> {
  const index = new Map<string, CatalogEntry[]>();
  for (const entry of entries) {
    const key = baseName(entry.name);
    const list = index.get(key);
    if (list === undefined) index.set(key, [entry]);
    else list.push(entry);
  }
  return index;
}

function unresolved(ref: ModelRef, reason: UnresolvedReason, message: string, candidates?: string[]): Outcome {
  const problem: UnresolvedRef = { ...ref, reason, message };
  if (candidates !== undefined) problem.candidates = candidates;
  return { ref: { ...ref }, problem };
}

/** `loras/x.safetensors (node 12, LoraLoader)`; `embedding "x"`; the quoted name when the category is unknown. */
function describe(ref: ModelRef): string {
  const what = ref.via === 'embedding' ? `embedding "${ref.name}"` : ref.category === null ? `"${ref.name}"` : `${ref.category}/${ref.name}`;
  return `${what} (node ${ref.nodeId}, ${ref.nodeType})`;
}
