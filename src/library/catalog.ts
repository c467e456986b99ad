/**
 * The in-memory catalog of every model file in every library folder. Lookups
 * follow ComfyUI's order: for a category and name, the first folder in the
 * category's list that holds the file wins. Mutations come per folder and per
 * file, and each real change is announced once, so that the SSD cache can
 * drop a copy the moment its source changes or goes.
 */
import { EventEmitter } from 'node:events';
import type { CatalogEntry, CatalogView } from '../core/catalog-view.js';
import { canonicalCategory, normalizeModelName } from '../core/categories.js';
import { folderKey, type ModelFolder } from './model-folders.js';
import type { ScannedModel } from './scan.js';

export interface CatalogEvents {
  /** A model file appeared (and has settled). */
  added: [entry: CatalogEntry];
  /** A model file's size or mtime changed: any copy of the old content is stale. */
  changed: [entry: CatalogEntry, previous: CatalogEntry];
  /** A model file is gone (deleted, renamed away, or its folder left the configuration). */
  removed: [entry: CatalogEntry];
  /** A folder became unreachable; its models stay listed with `available: false`. */
  unavailable: [folder: ModelFolder, models: number];
  /** An unreachable folder is back; its models are available again. */
  available: [folder: ModelFolder, models: number];
}

export const CATALOG_EVENT_NAMES = ['added', 'changed', 'removed', 'unavailable', 'available'] as const satisfies ReadonlyArray<keyof CatalogEvents>;

export interface ByteCount {
  models: number;
  bytes: number;
}

export interface CatalogCounts {
  /** Distinct models per category (a name shadowed by an earlier folder counts once). */
  readonly categories: Record<string, ByteCount>;
  readonly models: number;
  readonly bytes: number;
  /** Files that sit in unreachable folders. */
  readonly unavailableModels: number;
}

/** What a mutation did, for callers that want to know without listening. */
export type UpsertResult = 'added' | 'changed' | 'unchanged' | 'ignored';

/**
 * The folders holding one name, in lookup order. Nearly every name has one,
 * kept bare: an array for each of 100,000 names would cost more than the name.
 */
type Holders = FolderRecord | FolderRecord[];

interface FolderRecord {
  folder: ModelFolder;
  /** Position in the configured list: lower wins a lookup. */
  position: number;
  available: boolean;
  /** By normalised name. */
  entries: Map<string, CatalogEntry>;
}

function sameContent(a: CatalogEntry, b: ScannedModel): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.path === b.path;
}

/**
 * Every entry is built by this one literal, so that all share one hidden
 * class. Object spread gave each of them a map of its own, which cost more
 * memory than the entry itself in a catalog of 100,000 files.
 */
function catalogEntry(file: ScannedModel | CatalogEntry, category: string, available: boolean): CatalogEntry {
  return { category, name: file.name, folder: file.folder, path: file.path, size: file.size, mtimeMs: file.mtimeMs, available };
}

export class Catalog extends EventEmitter<CatalogEvents> implements CatalogView {
  private records = new Map<string, FolderRecord>();
  /** category → normalised name → the folders holding it, in lookup order. */
  private index = new Map<string, Map<string, Holders>>();

  constructor(folders: readonly ModelFolder[] = []) {
    super();
    this.setFolders(folders);
  }

  /**
   * Installs a new folder list (on a config reload). Folders that left the
   * list take their models with them, each announced as removed; the others
   * keep their models in their new order.
   */
  setFolders(folders: readonly ModelFolder[]): void {
    const previous = this.records;
    this.records = new Map();
    folders.forEach((folder, position) => {
      const key = folderKey(folder);
      if (this.records.has(key)) return;
      const kept = previous.get(key);
      this.records.set(key, {
        folder,
        position,
        available: kept?.available ?? true,
        entries: kept?.entries ?? new Map<string, CatalogEntry>(),
      });
      previous.delete(key);
    });
    this.rebuildIndex();
    for (const gone of previous.values()) {
      for (const entry of gone.entries.values()) this.emit('removed', entry);
    }
  }

  folders(): ModelFolder[] {
    return [...this.records.values()].map((record) => record.folder);
  }

  /** The models of one folder, by normalised name (an empty map for an unknown folder). */
  folderEntries(folder: ModelFolder): ReadonlyMap<string, CatalogEntry> {
    return this.records.get(folderKey(folder))?.entries ?? new Map();
  }

  /** Records a file as it is now. Emits `added` or `changed` only when something differs. */
  upsert(model: ScannedModel): UpsertResult {
    const record = this.records.get(folderKey({ category: model.category, dir: model.folder }));
    const name = normalizeModelName(model.name);
    if (record === undefined || name === undefined) return 'ignored';
    const previous = record.entries.get(name);
    if (previous !== undefined && sameContent(previous, model)) return 'unchanged';
    const entry = catalogEntry(model, record.folder.category, record.available);
    record.entries.set(name, entry);
    if (previous === undefined) {
      this.indexAdd(record, name);
      this.emit('added', entry);
      return 'added';
    }
    this.emit('changed', entry, previous);
    return 'changed';
  }

  /** Forgets one file of a folder; emits `removed` when it was known. */
  remove(folder: ModelFolder, name: string): CatalogEntry | undefined {
    const record = this.records.get(folderKey(folder));
    const normalized = normalizeModelName(name);
    if (record === undefined || normalized === undefined) return undefined;
    const entry = record.entries.get(normalized);
    if (entry === undefined) return undefined;
    record.entries.delete(normalized);
    this.indexRemove(record, normalized);
    this.emit('removed', entry);
    return entry;
  }

  /** The names of a folder's files at or below `dirName` (a relative folder name). */
  namesUnder(folder: ModelFolder, dirName: string): string[] {
    const normalized = normalizeModelName(dirName);
    if (normalized === undefined) return [...this.folderEntries(folder).keys()];
    const prefix = `${normalized}/`;
    return [...this.folderEntries(folder).keys()].filter((name) => name === normalized || name.startsWith(prefix));
  }

  /** Makes a folder's models as available as the folder; emits `unavailable`/`available` on a change. */
  setAvailable(folder: ModelFolder, available: boolean): void {
    const record = this.records.get(folderKey(folder));
    if (record === undefined || record.available === available) return;
    record.available = available;
    for (const [name, entry] of record.entries) record.entries.set(name, catalogEntry(entry, entry.category, available));
    this.emit(available ? 'available' : 'unavailable', record.folder, record.entries.size);
  }

  lookup(category: string, name: string): CatalogEntry | undefined {
    const normalized = normalizeModelName(name);
    if (normalized === undefined) return undefined;
    const holders = this.index.get(canonicalCategory(category))?.get(normalized);
    return holders === undefined ? undefined : this.firstOf(holders, normalized);
  }

  findByName(name: string): CatalogEntry[] {
    const normalized = normalizeModelName(name);
    if (normalized === undefined) return [];
    const found: CatalogEntry[] = [];
    for (const names of this.index.values()) {
      const holders = names.get(normalized);
      const first = holders === undefined ? undefined : this.firstOf(holders, normalized);
      if (first !== undefined) found.push(first);
    }
    return found;
  }

  *entries(category?: string): Iterable<CatalogEntry> {
    const categories = category === undefined ? [...this.index.values()] : [this.index.get(canonicalCategory(category)) ?? new Map()];
    for (const names of categories) {
      for (const [name, holders] of names as Map<string, Holders>) {
        const first = this.firstOf(holders, name);
        if (first !== undefined) yield first;
      }
    }
  }

  /** Models and bytes of one folder, for status. */
  folderCounts(folder: ModelFolder): ByteCount {
    const counts = { models: 0, bytes: 0 };
    for (const entry of this.folderEntries(folder).values()) {
      counts.models += 1;
      counts.bytes += entry.size;
    }
    return counts;
  }

  counts(): CatalogCounts {
    const categories: Record<string, ByteCount> = {};
    let models = 0;
    let bytes = 0;
    for (const entry of this.entries()) {
      const count = (categories[entry.category] ??= { models: 0, bytes: 0 });
      count.models += 1;
      count.bytes += entry.size;
      models += 1;
      bytes += entry.size;
    }
    let unavailableModels = 0;
    for (const record of this.records.values()) {
      if (!record.available) unavailableModels += record.entries.size;
    }
    return { categories, models, bytes, unavailableModels };
  }

  /** ComfyUI takes the first folder where the file exists: an unreachable folder is passed over. */
  private firstOf(holders: Holders, name: string): CatalogEntry | undefined {
    if (!Array.isArray(holders)) return holders.entries.get(name);
    const holder = holders.find((record) => record.available) ?? holders[0];
    return holder?.entries.get(name);
  }

  private indexAdd(record: FolderRecord, name: string): void {
    const names = this.index.get(record.folder.category) ?? new Map<string, Holders>();
    this.index.set(record.folder.category, names);
    const holders = names.get(name);
    if (holders === undefined) {
      names.set(name, record);
      return;
    }
    const ordered = [...(Array.isArray(holders) ? holders : [holders]), record].sort((a, b) => a.position - b.position);
    names.set(name, ordered);
  }

  private indexRemove(record: FolderRecord, name: string): void {
    const names = this.index.get(record.folder.category);
    const holders = names?.get(name);
    if (names === undefined || holders === undefined) return;
    const remaining = (Array.isArray(holders) ? holders : [holders]).filter((other) => other !== record);
    if (remaining.length === 0) names.delete(name);
    else names.set(name, remaining.length === 1 ? remaining[0]! : remaining);
  }

  private rebuildIndex(): void {
    this.index = new Map();
    const inOrder = [...this.records.values()].sort((a, b) => a.position - b.position);
    for (const record of inOrder) {
      for (const name of record.entries.keys()) this.indexAdd(record, name);
    }
  }
}
