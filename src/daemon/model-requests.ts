/**
 * Every ask for models goes through here: a save, a queued prompt, a run,
 * `arenactl prefetch` and `pin`. What the library has goes to the cache;
 * what it does not have yet — a file still being written, or (for a
 * workflow) one not there at all — is wanted until it lands. A name with
 * no file gets a "did you mean" from the catalog.
 */
import type { PrefetchPriority } from '../core/admission.js';
import { ArenaError } from '../core/arena-error.js';
import type { CatalogView } from '../core/catalog-view.js';
import { modelKey, parseModelKey } from '../core/categories.js';
import { didYouMean } from '../core/did-you-mean.js';
import { nearestModelKey } from '../core/resolve.js';
import type { WantedModel } from '../core/wanted.js';
import type { CacheService } from '../cache/cache-service.js';
import type { PrefetchOutcome } from '../cache/cache-events.js';
import type { WantedModels } from '../predict/wanted-models.js';

export interface ModelRequestsOptions {
  readonly cache: CacheService;
  readonly wanted: WantedModels;
  readonly catalog: () => CatalogView;
}

export interface RequestOptions {
  /** Keep the models on the SSD once copied. */
  readonly pin?: boolean;
  /**
   * Want models that are not in the library at all (a workflow names them:
   * they may be on their way). Without it only a file still being written
   * is wanted, and a plain missing name is reported with a hint.
   */
  readonly wantMissing?: boolean;
}

export class ModelRequests {
  readonly #options: ModelRequestsOptions;

  constructor(options: ModelRequestsOptions) {
    this.#options = options;
  }

  request(models: readonly WantedModelWithCategory[], priority: PrefetchPriority, origin: string, options: RequestOptions = {}): PrefetchOutcome[] {
    const outcomes = this.#options.cache.request(models, priority, origin, options.pin === true);
    return outcomes.map((outcome) => {
      if (outcome.status !== 'skipped' || outcome.reason !== 'not-found') return outcome;
      const settling = this.#options.wanted.settling(outcome.category, outcome.name) !== undefined;
      if (!settling && options.wantMissing !== true) return { ...outcome, message: this.#notFoundMessage(outcome.category, outcome.name) };
      this.#options.wanted.note(origin, [{ category: outcome.category, name: outcome.name }], {
        priority,
        replace: false,
        pin: options.pin === true,
      });
      return this.#wantedOutcome(outcome, settling);
    });
  }

  /**
   * Pins a model: at once when it is cached, once copied when the library
   * has it, once it lands when it is being written or a workflow wants it.
   * A name nothing knows is an error, with a hint.
   */
  pin(key: string): PrefetchOutcome {
    const model = parseModelKey(key);
    if (model === undefined) return this.#options.cache.pin(key);
    const known = this.#options.catalog().lookup(model.category, model.name) !== undefined || this.#options.cache.holds(key);
    if (known) return this.#options.cache.pin(key);
    const settling = this.#options.wanted.settling(model.category, model.name) !== undefined;
    if (!settling && !this.#options.wanted.has(model.category, model.name)) {
      throw new ArenaError('E_NOT_FOUND', `${this.#notFoundMessage(model.category, model.name)}; nothing to pin`);
    }
    this.#options.wanted.note('arenactl pin', [model], { priority: 'urgent', replace: false, pin: true });
    return this.#wantedOutcome({ category: model.category, name: model.name, key: modelKey(model.category, model.name) }, settling);
  }

  /**
   * request(), answered only once the queue and the wanted list are on disk:
   * what arenactl was told is queued survives a kill right after the answer.
   */
  async requestDurably(
    models: readonly WantedModelWithCategory[],
    priority: PrefetchPriority,
    origin: string,
    options: RequestOptions = {},
  ): Promise<PrefetchOutcome[]> {
    const outcomes = this.request(models, priority, origin, options);
    await this.#persist();
    return outcomes;
  }

  /** pin(), answered once it is on disk. */
  async pinDurably(key: string): Promise<PrefetchOutcome> {
    const outcome = this.pin(key);
    await this.#persist();
    return outcome;
  }

  async #persist(): Promise<void> {
    await Promise.all([this.#options.cache.persistQueue(), this.#options.wanted.persist()]);
  }

  /** Records what a sighting still misses (`replace` for a save: its newest version is the whole list). */
  want(origin: string, models: readonly WantedModel[], priority: PrefetchPriority, replace: boolean): void {
    this.#options.wanted.note(origin, models, { priority, replace });
  }

  #wantedOutcome(outcome: Pick<PrefetchOutcome, 'category' | 'name' | 'key'>, settling: boolean): PrefetchOutcome {
    const key = outcome.key ?? `${outcome.category}/${outcome.name}`;
    return {
      category: outcome.category,
      name: outcome.name,
      ...(outcome.key === undefined ? {} : { key: outcome.key }),
      status: 'wanted',
      reason: settling ? 'settling' : 'missing',
      message: settling
        ? `${key} is still being written; it is copied once it settles`
        : `${key} is not in the library yet; it is copied when it arrives`,
    };
  }

  #notFoundMessage(category: string, name: string): string {
    const key = modelKey(category, name) ?? `${category}/${name}`;
    const near = nearestModelKey(this.#options.catalog().entries(category), name);
    return `${key} is not in the library${didYouMean(near)}`;
  }
}

type WantedModelWithCategory = { readonly category: string; readonly name: string };
