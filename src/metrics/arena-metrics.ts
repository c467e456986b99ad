import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Logger } from '../log/logger.js';
import { CategoryLabels } from './category-labels.js';
import { COUNTED_TOPICS, eventMetrics } from './event-metrics.js';
import { liveMetrics } from './live-metrics.js';
import type { MetricsSources } from './metrics-sources.js';

const MISNAMED_DEFAULT_GAUGES = ['arena_nodejs_active_handles_total', 'arena_nodejs_active_requests_total', 'arena_nodejs_active_resources_total'];

/** One scrape: the exposition text and its content type. */
export interface Scrape {
  readonly contentType: string;
  readonly body: string;
}

export interface ArenaMetricsOptions {
  readonly sources: MetricsSources;
  readonly logger: Logger;
  /** Custom categories with a label of their own before the rest count as `other`. */
  readonly customCategoryCap?: number;
}

/**
 * Every metric of the daemon in its own registry (never prom-client's
 * global one, so tests can build as many as they like): counters fed by the
 * daemon's events from construction on, gauges read live at each scrape,
 * `arena_build_info`, and Node's process metrics, all under the `arena_`
 * prefix.
 */
export class ArenaMetrics {
  readonly registry = new Registry();
  readonly #refresh: () => void;
  readonly #unsubscribe: () => void;

  constructor(options: ArenaMetricsOptions) {
    const categories = new CategoryLabels(options.customCategoryCap);
    const count = eventMetrics(this.registry, categories);
    this.#unsubscribe = options.sources.events.subscribe(COUNTED_TOPICS, count);
    this.#refresh = liveMetrics(this.registry, options.sources, categories, options.logger);
    new Gauge({
      name: 'arena_build_info',
      help: 'Always 1; the labels say which arenad and Node.js are running.',
      labelNames: ['version', 'nodejs'] as const,
      registers: [this.registry],
    }).set({ version: options.sources.version, nodejs: process.versions.node }, 1);
    collectDefaultMetrics({ register: this.registry, prefix: 'arena_' });
    // prom-client names these gauges `_total`, which promtool rejects: that suffix is for counters.
    for (const name of MISNAMED_DEFAULT_GAUGES) this.registry.removeSingleMetric(name);
  }

  async scrape(): Promise<Scrape> {
    this.#refresh();
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** Stops counting events. */
  close(): void {
    this.#unsubscribe();
  }
}
