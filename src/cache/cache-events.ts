/**
 * What the cache service announces and answers. The shapes that cross the
 * socket (its events, a prefetch's outcomes) are defined once, in the socket
 * contract (control/contract/); the daemon streams the events to `subscribe`
 * clients.
 */
export type { CacheEvent, EvictionCause } from '../control/contract/events.js';
export type { PrefetchOutcome } from '../control/contract/cache.js';

/** A generation ran: the keys of its models that were on the SSD before it started (hits), and the others. */
export interface RunCounted {
  readonly origin: string;
  readonly hits: readonly string[];
  readonly misses: readonly string[];
}
