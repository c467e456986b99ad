import type { CacheService } from '../cache/cache-service.js';
import type { PrefetchPriority } from '../core/admission.js';
import type { CatalogView } from '../core/catalog-view.js';
import { resolveWorkflow } from '../core/resolve.js';
import type { ParsedWorkflow } from '../core/workflow/index.js';
import type { Logger } from '../log/logger.js';
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
  readonly history: UsageHistory;
  readonly logger: Logger;
}

/** The models of a workflow that resolved to library files, once each. */
function resolvedModels(workflow: ParsedWorkflow, catalog: CatalogView): Array<{ category: string; name: string; bytes: number }> {
  const seen = new Set<string>();
  const models: Array<{ category: string; name: string; bytes: number }> = [];
  for (const ref of resolveWorkflow(workflow, catalog).refs) {
    if (ref.key === undefined || seen.has(ref.key)) continue;
    seen.add(ref.key);
    const slash = ref.key.indexOf('/');
    models.push({ category: ref.key.slice(0, slash), name: ref.key.slice(slash + 1), bytes: ref.bytes ?? 0 });
  }
  return models;
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
      const models = resolvedModels(sighting.workflow, this.#options.catalog());
      this.#options.logger.info(`${sighting.kind === 'workflow-saved' ? 'workflow saved' : 'prompt queued'}: ${sighting.origin}`, {
        models: models.length,
      });
      const origin = sighting.kind === 'workflow-saved' ? `workflow ${sighting.origin} saved` : `${sighting.origin} queued`;
      if (models.length > 0) this.#options.cache.request(models, priority, origin);
      // Saves go into the usage history too, so that an exported trace (arenactl history export) replays them.
      if (sighting.kind === 'workflow-saved') {
        void this.#options.history.recordSave({ at: sighting.at, origin: sighting.origin, models: models.map((model) => ({ key: `${model.category}/${model.name}`, bytes: model.bytes })) });
      }
    } catch (error) {
      this.#options.logger.error('acting on a workflow failed', { origin: sighting.origin, err: error });
    }
  }

  #ran(run: RunSighting): void {
    try {
      const models = resolvedModels(run.workflow, this.#options.catalog());
      const { hits, misses } = this.#options.cache.recordRun(models, run.startedAt, run.origin);
      this.#options.logger.info(`generation ran: ${run.origin}`, { hits, misses });
      void this.#options.history.record({
        at: run.startedAt,
        runId: run.runId,
        origin: run.origin,
        models: models.map((model) => ({ key: `${model.category}/${model.name}`, bytes: model.bytes })),
      });
    } catch (error) {
      this.#options.logger.error('recording a run failed', { origin: run.origin, err: error });
    }
  }
}
