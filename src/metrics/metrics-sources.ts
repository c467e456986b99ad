/**
 * What the metrics read, as small structural interfaces: the daemon's
 * services fit them as they are, and none of them imports this module. Live
 * values are read at scrape time; counters come from the daemon's events.
 */

/** The parts of the daemon's `status` result the metrics use. */
export interface DaemonView {
  readonly state: 'starting' | 'ready' | 'degraded';
  readonly problems: readonly string[];
  readonly comfy: { readonly reachable: boolean | null };
  readonly library: {
    readonly folders: ReadonlyArray<{ readonly state: 'ok' | 'missing'; readonly mode: 'watch' | 'poll' }>;
    readonly roots: ReadonlyArray<{ readonly name: string; readonly state: 'ok' | 'missing' }>;
    readonly bytes: number;
    readonly unavailableModels: number;
  };
}

/** The cache service's `status()` sections. */
export interface CacheView {
  readonly cache: {
    readonly enabled: boolean;
    readonly bytes: number;
    readonly files: number;
    /** 0 when there is no size quota. */
    readonly maxBytes: number;
    readonly freeBytes: number;
    readonly totalBytes: number;
    readonly minFreeBytes: number;
  };
  readonly prefetch: { readonly queued: number; readonly active: number; readonly concurrency: number };
}

/** The updater's `status()`. */
export interface UpdatesView {
  readonly tracked: number;
  readonly pending: readonly unknown[];
  readonly lastCheck: { readonly at: string; readonly errors: number } | null;
}

/** The catalog: each model ComfyUI would list, once. */
export interface ModelListing {
  entries(): Iterable<{ readonly category: string; readonly available: boolean }>;
}

export interface BusEvent {
  readonly event: string;
  readonly [field: string]: unknown;
}

/** The daemon's EventBus. */
export interface EventSource {
  /** Returns the function that ends the subscription. */
  subscribe(topics: readonly string[], listener: (event: BusEvent) => void): () => void;
}

/** Each getter answers undefined while its service has not started yet. */
export interface MetricsSources {
  readonly version: string;
  readonly daemon: () => DaemonView;
  readonly cache: () => CacheView | undefined;
  readonly updates: () => UpdatesView | undefined;
  readonly catalog: () => ModelListing | undefined;
  readonly events: EventSource;
}
