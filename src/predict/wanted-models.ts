/**
 * The daemon's wanted list: models a save, a queued prompt, an output image
 * or an arenactl request asked for before their file was in the library (it
 * is missing, or still being written). Each waits here, persisted in
 * `<state.dir>/wanted.json`, until the library commits its file (after it
 * settles); then it is requested from the cache at the priority and for the
 * origin it first had. Entries expire (core/wanted.ts).
 */
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';
import type { WantedModelStatus } from '../control/contract/cache.js';
import type { WantedEvent, WantedReason } from '../control/contract/events.js';
import { PRIORITIES, type PrefetchPriority } from '../core/admission.js';
import { messageOf } from '../core/arena-error.js';
import type { CatalogEntry, CatalogView } from '../core/catalog-view.js';
import { modelKey } from '../core/categories.js';
import { WantedSet, type WantedChange, type WantedEntry, type WantedLimits, type WantedModel } from '../core/wanted.js';
import type { Logger } from '../log/logger.js';

export const WANTED_FILE = 'wanted.json';
/** How often expired entries are looked for. */
const EXPIRY_CHECK_MS = 60_000;
/** Changes are written together when they come in bursts (a save with many missing models). */
const SAVE_DELAY_MS = 50;

// The entries `status` lists and the events this list announces cross the socket: they are defined once, in the contract.
export type { WantedEvent } from '../control/contract/events.js';

/** What the library offers the wanted list: its catalog, the files still settling, and commits. */
export interface WantedLibrary {
  readonly catalog: CatalogView;
  settling(category: string | null, name: string): { path: string; bytes: number } | undefined;
  on(event: 'added', listener: (entry: CatalogEntry) => void): unknown;
  on(event: 'changed', listener: (entry: CatalogEntry, previous: CatalogEntry) => void): unknown;
}

export interface WantedModelsOptions {
  readonly stateDir: string;
  readonly library: WantedLibrary;
  /** Hands released models to the cache, as the original request would have. */
  readonly request: (models: Array<{ category: string; name: string }>, priority: PrefetchPriority, origin: string, pin: boolean) => unknown;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly limits?: Partial<WantedLimits>;
}

const persisted = z.object({
  version: z.literal(1),
  entries: z.array(
    z.object({
      category: z.string().min(1).nullable(),
      name: z.string().min(1),
      since: z.number(),
      origin: z.string(),
      priority: z.enum(PRIORITIES),
      pin: z.boolean(),
    }),
  ),
});

/** `checkpoints/x.safetensors`; the bare name when the category is not known. */
export function wantedKey(model: WantedModel): string {
  return model.category === null ? model.name : (modelKey(model.category, model.name) ?? `${model.category}/${model.name}`);
}

export class WantedModels extends EventEmitter<{ event: [WantedEvent] }> {
  readonly #options: WantedModelsOptions;
  readonly #set: WantedSet;
  readonly #file: string;
  readonly #now: () => number;
  #saveTimer?: NodeJS.Timeout;
  #saving: Promise<void> = Promise.resolve();
  #expiryTimer?: NodeJS.Timeout;
  #stopped = false;

  constructor(options: WantedModelsOptions) {
    super();
    this.#options = options;
    this.#set = new WantedSet(options.limits);
    this.#file = path.join(options.stateDir, WANTED_FILE);
    this.#now = options.now ?? Date.now;
  }

  /** Restores the saved list, releases what arrived while the daemon was down, and follows the library. */
  async start(): Promise<void> {
    this.#set.restore(await this.#load());
    this.#applyDrops(this.#set.expire(this.#now()));
    const { catalog } = this.#options.library;
    for (const entry of this.#set.entries()) {
      const found = entry.category === null ? catalog.findByName(entry.name)[0] : catalog.lookup(entry.category, entry.name);
      if (found?.available) this.#release(found);
    }
    this.#options.library.on('added', (entry) => this.#release(entry));
    this.#options.library.on('changed', (entry) => this.#release(entry));
    this.#expiryTimer = setInterval(() => this.#applyDrops(this.#set.expire(this.#now())), EXPIRY_CHECK_MS);
    this.#expiryTimer.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#expiryTimer);
    await this.persist();
  }

  /** Writes pending changes now (a request answered over the socket must survive a kill right after). */
  async persist(): Promise<void> {
    if (this.#saveTimer !== undefined) {
      clearTimeout(this.#saveTimer);
      this.#saveTimer = undefined;
      this.#save();
    }
    await this.#saving;
  }

  /**
   * Records what a sighting or request of `origin` misses. `replace`: this
   * is the origin's whole list now (a newer save of the same workflow), so
   * what it no longer names is forgotten.
   */
  note(
    origin: string,
    models: readonly WantedModel[],
    options: { priority: PrefetchPriority; replace: boolean; pin?: boolean },
  ): WantedModelStatus[] {
    const change = this.#set.note(origin, models, { ...options, now: this.#now() });
    for (const entry of change.added) this.emit('event', { event: 'wanted.added', key: wantedKey(entry), origin, reason: this.#reason(entry) });
    this.#applyDrops(change.dropped);
    if (change.added.length > 0 || change.dropped.length > 0) this.#saveSoon();
    return models.map((model) => this.#describe({ ...model, since: this.#now(), origin, priority: options.priority, pin: options.pin === true }));
  }

  /** Whether any origin waits for this model. */
  has(category: string, name: string): boolean {
    return this.#set.has(category, name);
  }

  /** The file of this model that is being written now, if one is. */
  settling(category: string | null, name: string): { path: string; bytes: number } | undefined {
    return this.#options.library.settling(category, name);
  }

  list(): WantedModelStatus[] {
    return this.#set.entries().map((entry) => this.#describe(entry));
  }

  #describe(entry: WantedEntry): WantedModelStatus {
    return {
      category: entry.category,
      name: entry.name,
      since: entry.since,
      reason: this.#reason(entry),
      origin: entry.origin,
      priority: entry.priority,
      pin: entry.pin,
    };
  }

  #reason(model: WantedModel): WantedReason {
    return this.#options.library.settling(model.category, model.name) === undefined ? 'missing' : 'settling';
  }

  /** A file was committed to the catalog: everything waiting for it goes to the cache, grouped as it was asked. */
  #release(file: CatalogEntry): void {
    if (this.#stopped || !file.available) return;
    const released = this.#set.release(file.category, file.name);
    if (released.length === 0) return;
    for (const entry of released) {
      this.emit('event', { event: 'wanted.released', key: wantedKey(entry), origin: entry.origin });
      this.#options.logger.info(`${wantedKey(entry)} is in the library now; prefetching it for ${entry.origin}`, { priority: entry.priority });
      try {
        this.#options.request([{ category: file.category, name: file.name }], entry.priority, entry.origin, entry.pin);
      } catch (error) {
        this.#options.logger.error('requesting a model that arrived failed', { key: wantedKey(entry), err: messageOf(error) });
      }
    }
    this.#saveSoon();
  }

  #applyDrops(dropped: WantedChange['dropped']): void {
    for (const { entry, reason } of dropped) {
      this.emit('event', { event: 'wanted.dropped', key: wantedKey(entry), origin: entry.origin, reason });
      const why =
        reason === 'replaced' ? 'a newer save no longer uses it' : reason === 'expired' ? 'it did not arrive in time' : 'too many models are wanted';
      this.#options.logger.info(`no longer waiting for ${wantedKey(entry)} (${entry.origin}): ${why}`);
    }
    if (dropped.length > 0) this.#saveSoon();
  }

  #saveSoon(): void {
    if (this.#saveTimer !== undefined || this.#stopped) return;
    this.#saveTimer = setTimeout(() => {
      this.#saveTimer = undefined;
      this.#save();
    }, SAVE_DELAY_MS);
    this.#saveTimer.unref();
  }

  /** Chains a save of the list as it is now after the saves before it. The chain never rejects: a failed save is logged. */
  #save(): void {
    const text = `${JSON.stringify({ version: 1, entries: this.#set.entries() })}\n`;
    this.#saving = this.#saving
      .then(() => writeFileAtomic(this.#file, text, { fsync: true }))
      .catch((error: unknown) => this.#options.logger.warn('could not save the wanted list', { file: this.#file, err: messageOf(error) }));
  }

  /** A missing file is an empty list; an unreadable one too, said once, never a failed start. */
  async #load(): Promise<WantedEntry[]> {
    let text: string;
    try {
      text = await readFile(this.#file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.#options.logger.warn('the wanted list cannot be read; starting with an empty one', { file: this.#file, err: messageOf(error) });
      }
      return [];
    }
    try {
      return persisted.parse(JSON.parse(text)).entries;
    } catch (error) {
      this.#options.logger.warn('the saved wanted list is unreadable; starting with an empty one', { file: this.#file, err: messageOf(error) });
      return [];
    }
  }
}
