import type { CacheService } from '../cache/cache-service.js';
import type { PrefetchPriority } from '../core/admission.js';
import type { CatalogView } from '../core/catalog-view.js';
import { didYouMean } from '../core/did-you-mean.js';
import { resolveWorkflow, type Resolution } from '../core/resolve.js';
import type { WantedModel } from '../core/wanted.js';
import type { Logger } from '../log/logger.js';
import type { ModelRequests } from './model-requests.js';
import {
  ComfyQueueWatcher,
  OutputImageWatcher,
  RunDeduper,
  WorkflowSaveWatcher,
  type ComfyQueueStatus,
  type RunSighting,
  type UsageHistory,
  type WorkflowSighting,
} from '../predict/index.js';

export interface TriggerOptions {
  /** Without a ComfyUI install there is nothing to watch but its queue. */
  readonly comfyRoot?: string;
  readonly comfyUrl: string;
  readonly catalog: () => CatalogView;
  readonly cache: CacheService;
  /** Requests and wants models: what the library lacks yet waits for its file. */
  readonly requests: ModelRequests;
  /** Whether a model's file is being written now. */
  readonly settling: (category: string | null, name: string) => unknown;
  readonly history: UsageHistory;
  readonly logger: Logger;
}

type Model = { category: string; name: string; bytes: number };

/** The models of a workflow that resolved to library files, once each. */
function resolvedModels(resolution: Resolution): Model[] {
  const seen = new Set<string>();
  const models: Model[] = [];
  for (const ref of resolution.refs) {
    if (ref.key === undefined || seen.has(ref.key)) continue;
    seen.add(ref.key);
    const slash = ref.key.indexOf('/');
    models.push({ category: ref.key.slice(0, slash), name: ref.key.slice(slash + 1), bytes: ref.bytes ?? 0 });
  }
  return models;
}

/** The references no library file answers yet: they may be on their way. */
function missingModels(resolution: Resolution): WantedModel[] {
  return resolution.unresolved.filter((ref) => ref.reason === 'not-found').map((ref) => ({ category: ref.category, name: ref.name }));
}

/**
 * Connects what happens in ComfyUI to the cache: a saved workflow or a
 * queued prompt asks for its models (a queued prompt first), and a run that
 * really happened is counted as hits and misses and kept in the usage
 * history. One run seen both in the queue and in its images counts once.
 */
export class Triggers {
  readonly #options: TriggerOptions;
  readonly #saves?: WorkflowSaveWatcher;
  readonly #outputs?: OutputImageWatcher;
  readonly #queue: ComfyQueueWatcher;

  constructor(options: TriggerOptions) {
    this.#options = options;
    const deduper = new RunDeduper();
    const logger = options.logger;
    if (options.comfyRoot) {
      this.#saves = new WorkflowSaveWatcher({ comfyRoot: options.comfyRoot, logger });
      this.#outputs = new OutputImageWatcher({ comfyRoot: options.comfyRoot, logger, deduper });
      this.#saves.on('sighting', (sighting) => this.#predicted(sighting, 'workflow'));
      this.#outputs.on('run', (run) => this.#ran(run));
    }
    this.#queue = new ComfyQueueWatcher({ url: options.comfyUrl, logger, deduper });
    this.#queue.on('sighting', (sighting) => this.#predicted(sighting, 'urgent'));
    this.#queue.on('run', (run) => this.#ran(run));
  }

  async start(): Promise<void> {
    await this.#saves?.start();
    await this.#outputs?.start();
    this.#queue.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.#saves?.stop(), this.#outputs?.stop(), this.#queue.stop()]);
  }

  comfyStatus(): ComfyQueueStatus {
    return this.#queue.status();
  }

  /** Lines for status.problems: a workflows or output folder that cannot be watched. */
  problems(): string[] {
    return [this.#saves?.status().problem, this.#outputs?.status().problem].filter((problem): problem is string => problem !== undefined);
  }

  #predicted(sighting: WorkflowSighting, priority: PrefetchPriority): void {
    try {
      const resolution = resolveWorkflow(sighting.workflow, this.#options.catalog());
      const models = resolvedModels(resolution);
      const saved = sighting.kind === 'workflow-saved';
      const missing = missingModels(resolution);
      this.#options.logger.info(`${saved ? 'workflow saved' : 'prompt queued'}: ${sighting.origin}`, {
        models: models.length,
        wanted: missing.length,
      });
      this.#explainUnresolved(sighting.origin, resolution);
      const origin = saved ? `workflow ${sighting.origin} saved` : `${sighting.origin} queued`;
      if (models.length > 0) this.#options.requests.request(models, priority, origin);
      // A save is the workflow's whole truth: what its older version wanted and this one does not is forgotten.
      if (missing.length > 0 || saved) this.#options.requests.want(origin, missing, priority, saved);
      // Saves go into the usage history too, so that an exported trace (arenactl history export) replays them.
      if (saved) {
        this.#recorded(
          this.#options.history.recordSave({
            at: sighting.at,
            origin: sighting.origin,
            models: models.map((model) => ({ key: `${model.category}/${model.name}`, bytes: model.bytes })),
          }),
        );
      }
    } catch (error) {
      this.#options.logger.error('acting on a workflow failed', { origin: sighting.origin, err: error });
    }
  }

  /** One line per reference that found no file: what it is, and whether it is on its way or mistyped. */
  /** The history logs a failed write itself; this catches anything it missed, so a record never rejects unheard. */
  #recorded(write: Promise<void>): void {
    write.catch((error: unknown) => this.#options.logger.warn('recording to the usage history failed', { err: error }));
  }

  #explainUnresolved(origin: string, resolution: Resolution): void {
    for (const ref of resolution.unresolved) {
      if (ref.reason !== 'not-found') {
        this.#options.logger.info(`${origin}: ${ref.message}`);
        continue;
      }
      const settling = this.#options.settling(ref.category, ref.name) !== undefined;
      const what = ref.category === null ? ref.name : `${ref.category}/${ref.name}`;
      const hint = didYouMean(ref.suggestion);
      this.#options.logger.info(
        settling
          ? `${origin} wants ${what}, which is still being written; it is copied once it settles`
          : `${origin} wants ${what}, which is missing from the library${hint}; it is copied when it arrives`,
      );
    }
  }

  #ran(run: RunSighting): void {
    try {
      const resolution = resolveWorkflow(run.workflow, this.#options.catalog());
      const models = resolvedModels(resolution);
      const { hits, misses } = this.#options.cache.recordRun(models, run.startedAt, run.origin);
      this.#options.logger.info(`generation ran: ${run.origin}`, { hits, misses });
      // It ran, so its models exist somewhere: those the library lacks yet are likely on their way, and warm.
      const missing = missingModels(resolution);
      if (missing.length > 0) this.#options.requests.want(run.origin, missing, 'warm', false);
      this.#recorded(
        this.#options.history.record({
          at: run.startedAt,
          runId: run.runId,
          origin: run.origin,
          models: models.map((model) => ({ key: `${model.category}/${model.name}`, bytes: model.bytes })),
        }),
      );
    } catch (error) {
      this.#options.logger.error('recording a run failed', { origin: run.origin, err: error });
    }
  }
}
