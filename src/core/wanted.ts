/**
 * Models that a workflow asked for before they were in the library: a save
 * made seconds after a download, a shared workflow whose checkpoint is still
 * on its way. They are remembered, not dropped, and released into the
 * prefetch plan at the priority they would have had once their file lands
 * and settles. The set is bounded: entries expire, a newer save of the same
 * workflow replaces what the older one wanted, and the oldest go first past
 * a cap.
 */
import { priorityRank, type PrefetchPriority } from './admission.js';
import { canonicalCategory, normalizeModelName } from './categories.js';

/** A model not in the library yet: by category when the workflow says it, else by name alone (custom loaders). */
export interface WantedModel {
  /** Canonical category, or null when only the catalog could tell. */
  readonly category: string | null;
  /** The name as the workflow spells it. */
  readonly name: string;
}

export interface WantedEntry extends WantedModel {
  /** ms since epoch when it was first wanted by this origin. */
  readonly since: number;
  readonly origin: string;
  readonly priority: PrefetchPriority;
  /** Pin it once it is cached (`arenactl pin` of a model still on its way). */
  readonly pin: boolean;
}

export interface WantedLimits {
  /** How long an entry waits for its file before it is forgotten. */
  readonly ttlMs: number;
  /** At most this many entries; past it, the oldest are forgotten first. */
  readonly maxEntries: number;
}

export const WANTED_DEFAULTS: WantedLimits = {
  // A day covers a download started at the end of one session and finished overnight.
  ttlMs: 24 * 3_600_000,
  maxEntries: 1000,
};

/** Why an entry left the set without being released. */
export type WantedDropReason = 'expired' | 'replaced' | 'overflow';

export interface WantedChange {
  readonly added: readonly WantedEntry[];
  readonly dropped: ReadonlyArray<{ readonly entry: WantedEntry; readonly reason: WantedDropReason }>;
}

/** The same model wanted by the same origin is one entry. */
function entryId(origin: string, model: WantedModel): string {
  return `${origin}\u0000${matchKey(model)}`;
}

/** `category/name` normalised; a star stands for the category when it is unknown. */
function matchKey(model: WantedModel): string {
  const name = normalizeModelName(model.name) ?? model.name;
  return `${model.category === null ? '*' : canonicalCategory(model.category)}/${name}`;
}

export class WantedSet {
  readonly #entries = new Map<string, WantedEntry>();
  readonly #limits: WantedLimits;

  constructor(limits: Partial<WantedLimits> = {}) {
    this.#limits = { ...WANTED_DEFAULTS, ...limits };
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Oldest first. */
  entries(): WantedEntry[] {
    return [...this.#entries.values()].sort((a, b) => a.since - b.since);
  }

  /**
   * What one sighting of `origin` still misses. With `replace` (a saved
   * workflow: its newest save is the whole truth), entries of that origin
   * that are no longer missing are dropped; otherwise (a queued prompt, an
   * explicit request) they are added to what the origin already wanted.
   */
  note(
    origin: string,
    models: readonly WantedModel[],
    options: { priority: PrefetchPriority; now: number; replace: boolean; pin?: boolean },
  ): WantedChange {
    const added: WantedEntry[] = [];
    const dropped: Array<{ entry: WantedEntry; reason: WantedDropReason }> = [];
    const current = new Set<string>();
    for (const model of models) {
      const id = entryId(origin, model);
      current.add(id);
      const existing = this.#entries.get(id);
      if (existing !== undefined) {
        // Asked again: the higher priority and a pin win; `since` stays, so expiry counts from the first ask.
        const priority = priorityRank(options.priority) < priorityRank(existing.priority) ? options.priority : existing.priority;
        this.#entries.set(id, { ...existing, priority, pin: existing.pin || options.pin === true });
        continue;
      }
      const category = model.category === null ? null : canonicalCategory(model.category);
      const entry: WantedEntry = { category, name: model.name, since: options.now, origin, priority: options.priority, pin: options.pin === true };
      this.#entries.set(id, entry);
      added.push(entry);
    }
    if (options.replace) {
      for (const [id, entry] of this.#entries) {
        if (entry.origin === origin && !current.has(id)) {
          this.#entries.delete(id);
          dropped.push({ entry, reason: 'replaced' });
        }
      }
    }
    dropped.push(...this.#trim(options.now));
    return { added, dropped };
  }

  /**
   * The entries a library file answers, removed from the set: its
   * category/name, and any entry of unknown category with the same name.
   */
  release(category: string, name: string): WantedEntry[] {
    const exact = matchKey({ category, name });
    const anyCategory = matchKey({ category: null, name });
    const released: WantedEntry[] = [];
    for (const [id, entry] of this.#entries) {
      const key = matchKey(entry);
      if (key === exact || key === anyCategory) {
        this.#entries.delete(id);
        released.push(entry);
      }
    }
    return released;
  }

  /** Whether anything waits for this model (of any origin). */
  has(category: string, name: string): boolean {
    const exact = matchKey({ category, name });
    const anyCategory = matchKey({ category: null, name });
    for (const entry of this.#entries.values()) {
      const key = matchKey(entry);
      if (key === exact || key === anyCategory) return true;
    }
    return false;
  }

  /** Forgets entries past their time, and the oldest past the cap. */
  expire(now: number): WantedChange['dropped'] {
    return this.#trim(now);
  }

  /** Puts back entries read from disk, as they were (expiry is applied by the next expire()). */
  restore(entries: readonly WantedEntry[]): void {
    for (const entry of entries) this.#entries.set(entryId(entry.origin, entry), entry);
  }

  #trim(now: number): Array<{ entry: WantedEntry; reason: WantedDropReason }> {
    const dropped: Array<{ entry: WantedEntry; reason: WantedDropReason }> = [];
    for (const [id, entry] of this.#entries) {
      if (now - entry.since >= this.#limits.ttlMs) {
        this.#entries.delete(id);
        dropped.push({ entry, reason: 'expired' });
      }
    }
    if (this.#entries.size > this.#limits.maxEntries) {
      for (const entry of this.entries().slice(0, this.#entries.size - this.#limits.maxEntries)) {
        this.#entries.delete(entryId(entry.origin, entry));
        dropped.push({ entry, reason: 'overflow' });
      }
    }
    return dropped;
  }
}
