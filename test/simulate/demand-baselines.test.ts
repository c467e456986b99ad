/**
 * LRU and Belady are the textbook demand-fetch baselines: instant fill on a
 * miss, no prefetch, saves ignored. Each known answer below is worked out by
 * hand in the comments (sizes in GB, capacity in GB).
 */
import test from 'ava';
import { simulateBelady, nextUses } from '../../src/core/simulate/belady.js';
import { simulateLru } from '../../src/core/simulate/lru.js';
import { TraceRandom } from '../../scripts/traces/random.js';
import { GB, model, references, run, save } from '../helpers/trace-events.js';
import type { TraceEvent, TraceModel } from '../../src/core/simulate/trace.js';

test('LRU on a b c a d b e a b c with room for three', (t) => {
  // cache, least recent first:
  //  a miss [a] · b miss [a b] · c miss [a b c] · a HIT [b c a] · d miss, evict b [c a d]
  //  b miss, evict c [a d b] · e miss, evict a [d b e] · a miss, evict d [b e a]
  //  b HIT [e a b] · c miss, evict e [a b c]
  const result = simulateLru(references('abcadbeabc'), 3 * GB);
  t.like(result, { policy: 'lru', requests: 10, hits: 2, misses: 8, evictions: 5, bytesCopied: 8 * GB, requestBytes: 10 * GB, hitBytes: 2 * GB });
  t.is(result.hitRatio, 0.2);
  t.is(result.byteHitRatio, 0.2);
  t.is(result.peakBytes, 3 * GB);
});

test('Belady on a b c a d b e a b c with room for three', (t) => {
  // next request of each: a→3, b→5, c→9, a→7, d→never, b→8, e→never, a→never, b→never, c→never
  //  a miss [a:3] · b miss [a:3 b:5] · c miss [a:3 b:5 c:9] · a HIT [a:7 b:5 c:9]
  //  d miss: c is next used furthest → [a:7 b:5 d:∞] · b HIT [a:7 b:8 d:∞]
  //  e miss: d is never used again → [a:7 b:8 e:∞] · a HIT [a:∞ b:8 e:∞] · b HIT [a:∞ b:∞ e:∞]
  //  c miss: all never used again; e was touched longest ago → [a b c]
  const result = simulateBelady(references('abcadbeabc'), 3 * GB);
  t.like(result, { policy: 'belady', requests: 10, hits: 4, misses: 6, evictions: 3, bytesCopied: 6 * GB, hitBytes: 4 * GB });
  t.deepEqual(nextUses(references('abcadbeabc').flatMap((event) => event.models)), [3, 5, 9, 7, Infinity, 8, Infinity, Infinity, Infinity, Infinity]);
});

test('sizes: both evict until the newcomer fits, and Belady always takes the file it fetched', (t) => {
  // Capacity 10; A 6, B 4, C 5; references A B A C A B (31 GB read).
  // LRU: A miss [A] · B miss [A B] (10) · A HIT [B A] · C miss: evict B (6), then A (0) → [C]
  //      · A miss: evict C → [A] · B miss [A B]. One hit of 6 GB; copied 6+4+5+6+4 = 25; 3 evictions.
  // Belady: next uses A→2, B→5, A→4, C,A,B→never. A miss · B miss · A HIT (A→4)
  //      · C miss: evict B (next 5, furthest), then A (4): demand fetching must take C, never used again
  //      · A miss: evict C · B miss. The same one hit.
  const trace = references('ABACAB', { A: 6, B: 4, C: 5 });
  for (const result of [simulateLru(trace, 10 * GB), simulateBelady(trace, 10 * GB)]) {
    t.like(result, { requests: 6, hits: 1, requestBytes: 31 * GB, hitBytes: 6 * GB, bytesCopied: 25 * GB, evictions: 3 }, result.policy);
    t.is(result.byteHitRatio, 6 / 31);
  }
});

test('a file larger than the whole cache is never cached and evicts nothing', (t) => {
  // Capacity 10: A (6) is cached; X (12) misses twice without touching A; A hits.
  const trace = references('AXXA', { A: 6, X: 12 });
  for (const result of [simulateLru(trace, 10 * GB), simulateBelady(trace, 10 * GB)]) {
    t.like(result, { hits: 1, misses: 3, bytesCopied: 6 * GB, evictions: 0, hitBytes: 6 * GB }, result.policy);
  }
});

test("saves are ignored, and a run's models are requests in order", (t) => {
  const a = model('a', 1);
  const b = model('b', 1);
  const withSaves: TraceEvent[] = [save(0, [a, b]), run(10, [a, b]), save(20, [b]), run(30, [b, a]), run(40, [a])];
  const runsOnly = withSaves.filter((event) => event.type === 'run');
  t.deepEqual(simulateLru(withSaves, 2 * GB), simulateLru(runsOnly, 2 * GB));
  t.deepEqual(simulateBelady(withSaves, 2 * GB), simulateBelady(runsOnly, 2 * GB));
  // Room for one: a miss, b miss (evicts a), b HIT, a miss (evicts b), a HIT.
  t.like(simulateLru(runsOnly, 1 * GB), { requests: 5, hits: 2 });
});

test('a library file that changed size is a new file: the stale copy goes and the request misses', (t) => {
  const trace: TraceEvent[] = [run(0, [model('a', 2)]), run(60, [model('a', 3)]), run(120, [model('a', 3)])];
  for (const result of [simulateLru(trace, 10 * GB), simulateBelady(trace, 10 * GB)]) {
    t.like(result, { hits: 1, misses: 2, bytesCopied: 5 * GB, evictions: 0 }, result.policy);
  }
});

/** Belady written the slow, obvious way: look ahead for each cached file's next request. */
function naiveBelady(requests: readonly TraceModel[], capacity: number): { hits: number; copied: number } {
  const cache = new Map<string, { bytes: number; touched: number }>();
  let hits = 0;
  let copied = 0;
  const nextUse = (key: string, from: number) => {
    for (let index = from + 1; index < requests.length; index += 1) if (requests[index]!.key === key) return index;
    return Infinity;
  };
  requests.forEach(({ key, bytes }, index) => {
    const cached = cache.get(key);
    if (cached) {
      hits += 1;
      cached.touched = index;
      return;
    }
    if (bytes > capacity) return;
    let used = [...cache.values()].reduce((sum, entry) => sum + entry.bytes, 0);
    while (used + bytes > capacity) {
      const [victim] = [...cache].sort(([ka, a], [kb, b]) => nextUse(kb, index) - nextUse(ka, index) || a.touched - b.touched || 0)[0]!;
      used -= cache.get(victim)!.bytes;
      cache.delete(victim);
    }
    cache.set(key, { bytes, touched: index });
    copied += bytes;
  });
  return { hits, copied };
}

/** LRU written the slow, obvious way: an array, most recent last. */
function naiveLru(requests: readonly TraceModel[], capacity: number): { hits: number; copied: number } {
  let order: TraceModel[] = [];
  let hits = 0;
  let copied = 0;
  for (const request of requests) {
    const position = order.findIndex((entry) => entry.key === request.key);
    if (position >= 0) {
      hits += 1;
      order.push(...order.splice(position, 1));
      continue;
    }
    if (request.bytes > capacity) continue;
    while (order.reduce((sum, entry) => sum + entry.bytes, 0) + request.bytes > capacity) order = order.slice(1);
    order.push(request);
    copied += request.bytes;
  }
  return { hits, copied };
}

test('on random traces, both agree with slow, obvious implementations', (t) => {
  const random = new TraceRandom(42);
  for (let round = 0; round < 40; round += 1) {
    const names = 'abcdefghij'.slice(0, random.int(3, 10));
    const sizes = Object.fromEntries([...names].map((name) => [name, random.int(1, 6)]));
    const trace = references(Array.from({ length: random.int(10, 80) }, () => random.pick([...names])).join(''), sizes);
    const requests = trace.flatMap((event) => event.models);
    const capacity = random.int(4, 20) * GB;
    const belady = simulateBelady(trace, capacity);
    const lru = simulateLru(trace, capacity);
    t.deepEqual({ hits: belady.hits, copied: belady.bytesCopied }, naiveBelady(requests, capacity), `belady, round ${round}`);
    t.deepEqual({ hits: lru.hits, copied: lru.bytesCopied }, naiveLru(requests, capacity), `lru, round ${round}`);
    // With equal sizes Belady is the optimum: never fewer hits than LRU.
    const unit = references(trace.map((event) => event.models[0]!.key.slice('checkpoints/'.length, -'.safetensors'.length)).join(''));
    t.true(simulateBelady(unit, 3 * GB).hits >= simulateLru(unit, 3 * GB).hits, `round ${round}`);
  }
});
