import type { Logger } from '../log/logger.js';
import { ArenaMetrics } from './arena-metrics.js';
import { parseListenAddress } from './listen-address.js';
import { MetricsServer } from './metrics-server.js';
import type { MetricsSources } from './metrics-sources.js';

export interface MetricsServiceOptions {
  /** `metrics.listen`: `HOST:PORT`, or `off`. */
  readonly listen: string;
  readonly sources: MetricsSources;
  readonly logger: Logger;
  /** The problem list changed (the port was refused, or became free). */
  readonly onProblemChange?: () => void;
  readonly retryMs?: number;
}

/**
 * The daemon's metrics: the registry and its HTTP endpoint, or nothing at
 * all with `metrics.listen: off`. Starting never fails; what went wrong is
 * in problems().
 */
export class MetricsService {
  readonly #metrics?: ArenaMetrics;
  readonly #server?: MetricsServer;
  readonly #problem?: string;

  private constructor(options: MetricsServiceOptions) {
    const address = parseListenAddress(options.listen);
    if (address === 'off') return;
    if (address === undefined) {
      this.#problem = `metrics.listen "${options.listen}" is not HOST:PORT; metrics are off until it is fixed`;
      return;
    }
    this.#metrics = new ArenaMetrics({ sources: options.sources, logger: options.logger });
    const metrics = this.#metrics;
    this.#server = new MetricsServer({
      listen: address,
      scrape: () => metrics.scrape(),
      logger: options.logger,
      ...(options.onProblemChange ? { onProblemChange: options.onProblemChange } : {}),
      ...(options.retryMs === undefined ? {} : { retryMs: options.retryMs }),
    });
  }

  static async start(options: MetricsServiceOptions): Promise<MetricsService> {
    const service = new MetricsService(options);
    await service.#server?.start();
    return service;
  }

  /** The bound port, once listening. */
  get port(): number | undefined {
    return this.#server?.port;
  }

  problems(): string[] {
    const problem = this.#problem ?? this.#server?.problem();
    return problem === undefined ? [] : [problem];
  }

  async stop(): Promise<void> {
    await this.#server?.stop();
    this.#metrics?.close();
  }
}
