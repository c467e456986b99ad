/**
 * Belady's MIN for demand caching, the offline baseline: it knows the whole
 * future but cannot prefetch. Saves are ignored; on a miss the file is copied
 * at once (instant fill), first evicting the cached file whose next request
 * is furthest in the future (never requested again counts as furthest),
 * until it fits. A file larger than the whole cache is never cached.
 *
 * The next request of every request is precomputed in one backward pass, and
 * the cached files sit in a heap by next use with lazy deletion: O(n log n).
 */
import { Heap } from './max-heap.js';
import { Tally, type SimulationResult } from './sim-result.js';
import type { TraceEvent, TraceModel } from './trace.js';

interface HeapItem {
  readonly nextUse: number;
  readonly key: string;
  /** Which version of the key's entry this item describes; older items are skipped. */
  readonly stamp: number;
}

/** A file is a key at a size: a library file that changed size is another file. */
function fileId(model: TraceModel): string {
  return `${model.key}\u0000${model.bytes}`;
}

/** The index of the next request of the same file, for every request; Infinity when there is none. */
export function nextUses(requests: readonly TraceModel[]): number[] {
  const next = new Array<number>(requests.length);
  const following = new Map<string, number>();
  for (let index = requests.length - 1; index >= 0; index -= 1) {
    const id = fileId(requests[index]!);
    next[index] = following.get(id) ?? Infinity;
    following.set(id, index);
  }
  return next;
}

export function simulateBelady(trace: readonly TraceEvent[], capacityBytes: number): SimulationResult {
  const tally = new Tally();
  const requests = trace.filter((event) => event.type === 'run').flatMap((event) => event.models);
  const next = nextUses(requests);
  const cache = new Map<string, { bytes: number; stamp: number }>();
  // Furthest next use first; among equals (never used again), the one touched longest ago.
  const heap = new Heap<HeapItem>((a, b) => a.nextUse > b.nextUse || (a.nextUse === b.nextUse && a.stamp < b.stamp));
  let used = 0;
  let stamp = 0;

  const remember = (key: string, bytes: number, nextUse: number) => {
    stamp += 1;
    cache.set(key, { bytes, stamp });
    heap.push({ nextUse, key, stamp });
  };

  requests.forEach(({ key, bytes }, index) => {
    const held = cache.get(key);
    if (held !== undefined && held.bytes !== bytes) {
      // The library file changed size: the cached copy is stale and goes, as the daemon drops it.
      cache.delete(key);
      used -= held.bytes;
    }
    if (cache.has(key)) {
      tally.request(bytes, true);
      remember(key, bytes, next[index]!);
      return;
    }
    tally.request(bytes, false);
    if (bytes > capacityBytes) return;
    while (used + bytes > capacityBytes) {
      const top = heap.pop()!;
      const entry = cache.get(top.key);
      if (entry === undefined || entry.stamp !== top.stamp) continue;
      cache.delete(top.key);
      used -= entry.bytes;
      tally.evictions += 1;
    }
    remember(key, bytes, next[index]!);
    used += bytes;
    tally.bytesCopied += bytes;
    tally.holding(used);
  });
  return tally.result('belady', capacityBytes);
}
