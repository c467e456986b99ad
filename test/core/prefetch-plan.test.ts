import test from 'ava';
import { planPrefetch, WARM_ADMISSION_MARGIN, type PendingJob, type PlanInput } from '../../src/core/prefetch-plan.js';
import { entryValue } from '../../src/core/policy/entry-value.js';
import { Predictions } from '../../src/core/policy/predictions.js';
import { UsageModel } from '../../src/core/policy/usage-model.js';

const GB = 1e9;
const NOW = Date.UTC(2026, 10, 20, 12);

function job(key: string, bytes: number | undefined, extra: Partial<PendingJob> = {}): PendingJob {
  return {
    key,
    category: key.split('/')[0]!,
    bytes,
    available: true,
    alreadyCached: false,
    priority: 'workflow',
    notBefore: 0,
    pin: false,
    ...extra,
  };
}

function input(overrides: Partial<PlanInput> = {}): PlanInput {
  return {
    now: NOW,
    pending: [],
    running: [],
    cached: [],
    cacheBytes: 0,
    freeBytes: 1000 * GB,
    totalBytes: 2000 * GB,
    rules: { enabled: true, categories: [], minFileBytes: 0, maxBytes: 64 * GB, minFreeBytes: 10 * GB, concurrency: 2 },
    context: { now: NOW, usage: new UsageModel(), predictions: new Predictions() },
    ...overrides,
  };
}

test('starts as many jobs as there are free slots, in the given order', (t) => {
  const decisions = planPrefetch(input({ pending: [job('checkpoints/a', GB), job('loras/b', GB), job('loras/c', GB)] }));
  t.deepEqual(
    decisions.map((d) => [d.key, d.action]),
    [
      ['checkpoints/a', 'start'],
      ['loras/b', 'start'],
    ],
  );
  const oneFree = planPrefetch(input({ pending: [job('loras/b', GB)], running: [{ key: 'checkpoints/x', bytes: GB, copiedBytes: 0 }] }));
  t.deepEqual(
    oneFree.map((d) => d.action),
    ['start'],
  );
  t.deepEqual(
    planPrefetch(
      input({
        pending: [job('loras/b', GB)],
        running: [
          { key: 'x', bytes: 1, copiedBytes: 0 },
          { key: 'y', bytes: 1, copiedBytes: 0 },
        ],
      }),
    ),
    [],
  );
});

test('a job in back-off is passed over; one gone from the library is dropped; one already cached is done', (t) => {
  const decisions = planPrefetch(
    input({
      pending: [
        job('loras/later', GB, { notBefore: NOW + 1000 }),
        job('loras/gone', undefined),
        job('loras/there', GB, { alreadyCached: true }),
        job('loras/next', GB),
      ],
    }),
  );
  t.deepEqual(
    decisions.map((d) => [d.key, d.action]),
    [
      ['loras/gone', 'drop'],
      ['loras/there', 'done'],
      ['loras/next', 'start'],
    ],
  );
});

test('an unreachable library folder makes a job wait, not fail', (t) => {
  const [decision] = planPrefetch(input({ pending: [job('loras/a', GB, { available: false })] }));
  t.like(decision, { action: 'wait', reason: 'the library folder of loras/a is unreachable; it is copied when the folder returns' });
});

test('decisions in one pass see each other: two copies that together pass the quota do not both start', (t) => {
  const decisions = planPrefetch(input({ pending: [job('checkpoints/a', 40 * GB), job('checkpoints/b', 40 * GB)] }));
  t.deepEqual(
    decisions.map((d) => [d.key, d.action]),
    [
      ['checkpoints/a', 'start'],
      ['checkpoints/b', 'wait'],
    ],
  );
});

test('room is made by evicting what is worth less, and the start says what it evicts and why', (t) => {
  const predictions = new Predictions();
  predictions.add({ keys: ['checkpoints/new'], at: NOW - 60_000, priority: 'urgent', origin: 'prompt 1 queued' });
  const decisions = planPrefetch(
    input({
      pending: [job('checkpoints/new', 10 * GB, { priority: 'urgent' })],
      cached: [{ key: 'checkpoints/old', bytes: 60 * GB, cachedAt: NOW - 30 * 24 * 3600_000 }],
      cacheBytes: 60 * GB,
      context: { now: NOW, usage: new UsageModel(), predictions },
    }),
  );
  t.is(decisions.length, 1);
  const start = decisions[0]!;
  t.is(start.action, 'start');
  if (start.action === 'start') {
    t.deepEqual(
      start.evict.map((victim) => victim.key),
      ['checkpoints/old'],
    );
    t.is(start.because, 'wanted by prompt 1 queued, 1m 0s ago');
  }
});

test('a newcomer worth less than every cached model is dropped as not admitted', (t) => {
  const usage = new UsageModel();
  for (let i = 0; i < 10; i += 1) usage.record({ at: NOW - i * 3600_000, workflow: 'w', keys: ['checkpoints/fav'] });
  const [decision] = planPrefetch(
    input({
      pending: [job('checkpoints/guess', 10 * GB, { priority: 'warm' })],
      cached: [{ key: 'checkpoints/fav', bytes: 60 * GB, cachedAt: NOW - 24 * 3600_000 }],
      cacheBytes: 60 * GB,
      context: { now: NOW, usage, predictions: new Predictions() },
    }),
  );
  t.like(decision, { action: 'drop', code: 'E_NOT_ADMITTED' });
});

test('room held by a running copy makes the next job wait rather than evict', (t) => {
  const [decision] = planPrefetch(
    input({
      pending: [job('checkpoints/b', 30 * GB)],
      running: [{ key: 'checkpoints/a', bytes: 40 * GB, copiedBytes: 10 * GB }],
      cached: [],
      cacheBytes: 0,
    }),
  );
  t.like(decision, { action: 'wait' });
});

test('settings decide first: disabled, category, size', (t) => {
  const decisions = planPrefetch(
    input({
      pending: [job('vae/v', GB), job('checkpoints/huge', 100 * GB)],
      rules: { enabled: true, categories: ['checkpoints'], minFileBytes: 0, maxBytes: 64 * GB, minFreeBytes: 0, concurrency: 2 },
    }),
  );
  t.deepEqual(
    decisions.map((d) => [d.key, d.action, 'code' in d ? d.code : '']),
    [
      ['vae/v', 'drop', 'E_NOT_ADMITTED'],
      ['checkpoints/huge', 'drop', 'E_TOO_LARGE'],
    ],
  );
});

test('a warm job must be worth the margin more than what it evicts; a saved workflow only more', (t) => {
  // Both models used alike once; the newcomer, just asked for, also carries its prediction: worth more, but not twice as much.
  const usage = new UsageModel();
  usage.record({ at: NOW - 3600_000, workflow: 'old', keys: ['checkpoints/old'] });
  usage.record({ at: NOW - 3600_000, workflow: 'new', keys: ['checkpoints/new'] });
  const cached = [{ key: 'checkpoints/old', bytes: 60 * GB, cachedAt: NOW - 3600_000 }];
  const decide = (priority: 'warm' | 'workflow') => {
    const predictions = new Predictions();
    predictions.add({ keys: ['checkpoints/new'], at: NOW, priority, origin: 'test' });
    const context = { now: NOW, usage, predictions };
    const ratio = entryValue({ key: 'checkpoints/new', bytes: 60 * GB }, context).value / entryValue(cached[0]!, context).value;
    const [decision] = planPrefetch(input({ pending: [job('checkpoints/new', 60 * GB, { priority })], cached, cacheBytes: 60 * GB, context }));
    return { ratio, decision };
  };
  const warm = decide('warm');
  t.true(warm.ratio > 1 && warm.ratio < WARM_ADMISSION_MARGIN, `the warm newcomer is worth ${warm.ratio}× the cached model`);
  t.like(warm.decision, { action: 'drop', code: 'E_NOT_ADMITTED' });
  const saved = decide('workflow');
  t.true(saved.ratio > 1);
  t.like(saved.decision, { action: 'start' });
});
