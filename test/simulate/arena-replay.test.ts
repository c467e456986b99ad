/**
 * Arena on small traces: the daemon's own decisions with a simulated copier
 * at 500 MB/s (the default). A 5 GB copy alone takes 10 s; two at once share
 * the bandwidth and both take 20 s.
 */
import test from 'ava';
import { simulateArena, type CacheChange } from '../../src/core/simulate/arena-replay.js';
import { simulate } from '../../src/core/simulate/simulate.js';
import { SimulateOptionsError } from '../../src/core/simulate/errors.js';
import type { TraceEvent } from '../../src/core/simulate/trace.js';
import { generateTrace } from '../../scripts/traces/generate-trace.js';
import { profileNamed } from '../../scripts/traces/user-profiles.js';
import { GB, model, run, save } from '../helpers/trace-events.js';

const a = model('a', 5);
const b = model('b', 5);

function arena(
  trace: readonly TraceEvent[],
  capacityGb = 64,
  extra: { concurrency?: number; pinned?: string[]; onChange?: (change: CacheChange) => void } = {},
) {
  return simulateArena(trace, { capacityBytes: capacityGb * GB, ...extra });
}

test('a workflow saved long enough before its run is prefetched: every model is a hit, where demand caching misses', (t) => {
  const trace = [save(0, [a, b]), run(3600, [a, b])];
  t.like(arena(trace), { requests: 2, hits: 2, hitBytes: 10 * GB, bytesCopied: 10 * GB, byteHitRatio: 1 });
  t.like(simulate(trace, { policy: 'belady', capacityBytes: 64 * GB }), { hits: 0 });
});

test('a copy counts only once it has landed: at 10 s a lone 5 GB copy is there, a moment before it is not', (t) => {
  t.like(arena([save(0, [a]), run(10, [a])]), { hits: 1 });
  t.like(arena([save(0, [a]), run(9.9, [a])]), { hits: 0, misses: 1 });
});

test('copies running together share the bandwidth; with one at a time they land one after the other', (t) => {
  // Two at once: 250 MB/s each, both land at 20 s.
  t.like(arena([save(0, [a, b]), run(19.9, [a, b])]), { hits: 0 });
  t.like(arena([save(0, [a, b]), run(20, [a, b])]), { hits: 2 });
  // One at a time: a lands at 10 s, b at 20 s.
  t.like(arena([save(0, [a, b]), run(15, [a, b])], 64, { concurrency: 1 }), { hits: 1, hitBytes: 5 * GB });
});

test('a miss is copied after the run, so the next run of the model is a hit; a run during that copy still misses', (t) => {
  t.like(arena([run(0, [a]), run(5, [a]), run(100, [a])]), { requests: 3, hits: 1, bytesCopied: 5 * GB });
});

test('a saved workflow displaces an older model when the quota is full, and the changes say so', (t) => {
  // Room for one 6 GB model: c runs and is copied; an hour later a workflow with d is saved.
  const c = model('c', 6);
  const d = model('d', 6);
  const changes: CacheChange[] = [];
  const result = arena([run(0, [c]), save(3600, [d]), run(3700, [d]), run(3800, [c])], 10, { onChange: (change) => changes.push(change) });
  t.deepEqual(
    changes.map((change) => [change.kind, change.key, change.t]),
    [
      ['landed', c.key, 12],
      ['evicted', c.key, 3600],
      ['landed', d.key, 3612],
    ],
  );
  t.like(result, { requests: 3, hits: 1, evictions: 1 });
});

test('bytes of a copy cut short because the library file changed size count as copied', (t) => {
  // a (5 GB) starts at 0; at 5 s a run shows it is now 6 GB: 2.5 GB were copied for nothing, then 6 GB land at 17 s.
  const changed = { key: a.key, bytes: 6 * GB };
  t.like(arena([save(0, [a]), run(5, [changed]), run(100, [changed])]), { hits: 1, misses: 1, bytesCopied: 8.5 * GB });
});

const hobbyist = generateTrace({ profile: profileNamed('sdxl-hobbyist')!, seed: 7, weeks: 2 });

test('on a generated trace the cache never passes its quota, and a pinned model is never evicted', (t) => {
  const capacity = 32 * GB;
  const pinned = hobbyist.events.find((event) => event.type === 'run' && event.models.length > 0)!.models[0]!.key;
  const changes: CacheChange[] = [];
  const result = arena(hobbyist.events, 32, { pinned: [pinned], onChange: (change) => changes.push(change) });
  t.true(result.peakBytes <= capacity, `peak ${result.peakBytes}`);
  t.true(changes.every((change) => change.cacheBytes <= capacity));
  t.true(changes.some((change) => change.kind === 'landed' && change.key === pinned && change.pinned));
  t.true(
    changes.some((change) => change.kind === 'evicted'),
    'the quota was tight enough to evict',
  );
  t.deepEqual(
    changes.filter((change) => change.kind === 'evicted' && (change.pinned || change.key === pinned)),
    [],
  );
  t.is(result.hits + result.misses, result.requests);
  t.true(result.bytesCopied >= changes.filter((change) => change.kind === 'landed').reduce((sum, change) => sum + change.bytes, 0));
});

test('the same trace gives the same result, change for change', (t) => {
  const replay = () => {
    const changes: CacheChange[] = [];
    const result = arena(hobbyist.events, 64, { onChange: (change) => changes.push(change) });
    return { result, changes };
  };
  const first = replay();
  t.deepEqual(replay(), first);
  t.true(first.changes.length > 0);
});

test('options that cannot run are refused with a typed error', (t) => {
  t.throws(() => simulate([], { policy: 'arena', capacityBytes: 0 }), { instanceOf: SimulateOptionsError, message: /capacity must be more than 0/ });
  t.throws(() => simulate([], { policy: 'arena', capacityBytes: GB, bandwidthBytesPerSecond: 0 }), { instanceOf: SimulateOptionsError });
  t.throws(() => simulate([], { policy: 'arena', capacityBytes: GB, concurrency: 1.5 }), { instanceOf: SimulateOptionsError });
  t.like(simulate([], { policy: 'arena', capacityBytes: GB }), {
    requests: 0,
    hitRatio: 0,
    byteHitRatio: 0,
    bandwidthBytesPerSecond: 500e6,
    concurrency: 2,
  });
});
