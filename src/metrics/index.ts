export { ArenaMetrics, type ArenaMetricsOptions, type Scrape } from './arena-metrics.js';
export { CategoryLabels, OTHER_CATEGORY } from './category-labels.js';
export { EVICTION_REASONS, JOB_RESULTS, type EvictionReasonLabel } from './event-metrics.js';
export { formatListenAddress, parseListenAddress, type ListenAddress } from './listen-address.js';
export { METRICS_PATH, MetricsServer, type MetricsServerOptions } from './metrics-server.js';
export { MetricsService, type MetricsServiceOptions } from './metrics-service.js';
export type * from './metrics-sources.js';
