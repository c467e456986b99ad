/**
 * The textbook LRU baseline for demand caching: saves are ignored; a run's
 * models are requests in order; a hit refreshes the model's recency; a miss
 * copies the file at once (instant fill), first evicting the least recently
 * used until it fits. A file larger than the whole cache is never cached.
 */
import { Tally, type SimulationResult } from './sim-result.js';
import type { TraceEvent } from './trace.js';

export function simulateLru(trace: readonly TraceEvent[], capacityBytes: number): SimulationResult {
  const tally = new Tally();
  /** key → bytes; Map order is recency order, least recent first. */
  const cache = new Map<string, number>();
  let used = 0;
  for (const event of trace) {
    if (event.type !== 'run') continue;
    for (const { key, bytes } of event.models) {
      const held = cache.get(key);
      if (held !== undefined && held !== bytes) {
        // The library file changed size: the cached copy is stale and goes, as the daemon drops it.
        cache.delete(key);
        used -= held;
      }
      if (cache.has(key)) {
        tally.request(bytes, true);
        cache.delete(key);
        cache.set(key, bytes);
        continue;
      }
      tally.request(bytes, false);
      if (bytes > capacityBytes) continue;
      for (const [victim, victimBytes] of cache) {
        if (used + bytes <= capacityBytes) break;
        cache.delete(victim);
        used -= victimBytes;
        tally.evictions += 1;
      }
      cache.set(key, bytes);
      used += bytes;
      tally.bytesCopied += bytes;
      tally.holding(used);
    }
  }
  return tally.result('lru', capacityBytes);
}
