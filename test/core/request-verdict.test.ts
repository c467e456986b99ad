import test from 'ava';
import { requestVerdict } from '../../src/core/request-verdict.js';
import { runOutcome } from '../../src/core/run-outcome.js';

const GB = 1e9;
const rules = { enabled: true, categories: [], minFileBytes: 0, maxBytes: 64 * GB };
const space = {
  cacheBytes: 60 * GB,
  reservedBytes: 0,
  pendingWriteBytes: 0,
  freeBytes: 500 * GB,
  totalBytes: 1000 * GB,
  maxBytes: 64 * GB,
  minFreeBytes: 10 * GB,
};

test('a request is nothing when cached, refused when the settings or the quota rule it out for good, else a job', (t) => {
  t.deepEqual(requestVerdict({ category: 'checkpoints', bytes: 7 * GB, cached: true }, rules, space), { kind: 'cached' });
  t.like(requestVerdict({ category: 'vae', bytes: GB, cached: false }, { ...rules, categories: ['checkpoints'] }, space), {
    kind: 'skipped',
    reason: 'category',
  });
  t.like(requestVerdict({ category: 'checkpoints', bytes: 70 * GB, cached: false }, rules, space), { kind: 'skipped', reason: 'too-large' });
  const disk = requestVerdict(
    { category: 'checkpoints', bytes: 7 * GB, cached: false },
    { ...rules, maxBytes: 0 },
    { ...space, maxBytes: 0, totalBytes: 12 * GB },
  );
  t.like(disk, { kind: 'skipped', reason: 'too-large' });
  t.regex(disk.kind === 'skipped' ? disk.message : '', /cannot fit on the cache filesystem/);
  // Over the quota now, but room can be made: that is the planner's call, later.
  t.deepEqual(requestVerdict({ category: 'checkpoints', bytes: 7 * GB, cached: false }, rules, space), { kind: 'queue' });
});

test('a run hits a model whose copy landed at or before its start, and misses the others', (t) => {
  const cachedAt = new Map([
    ['a', 100],
    ['b', 200],
  ]);
  t.deepEqual(
    runOutcome(['a', 'b', 'c'], 200, (key) => cachedAt.get(key)),
    { hits: ['a', 'b'], misses: ['c'] },
  );
  t.deepEqual(
    runOutcome(['a', 'b'], 199, (key) => cachedAt.get(key)),
    { hits: ['a'], misses: ['b'] },
  );
});
