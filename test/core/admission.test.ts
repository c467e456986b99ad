import test from 'ava';
import { admission, minFreeBytesOf, priorityRank, roomFor, type SpaceState } from '../../src/core/admission.js';

const rules = { enabled: true, categories: [] as string[], minFileBytes: 10e6, maxBytes: 64e9 };

test('admission: every category by default, within the size bounds', (t) => {
  t.deepEqual(admission({ category: 'loras', bytes: 150e6 }, rules), { ok: true });
  t.deepEqual(admission({ category: 'checkpoints', bytes: 64e9 }, rules), { ok: true });
});

test('admission: each refusal names its reason and the setting behind it', (t) => {
  t.deepEqual(admission({ category: 'loras', bytes: 150e6 }, { ...rules, enabled: false }), {
    ok: false,
    reason: 'disabled',
    message: 'cache.enable is off: Arena copies nothing',
  });
  t.deepEqual(admission({ category: 'vae', bytes: 300e6 }, { ...rules, categories: ['checkpoints', 'loras'] }), {
    ok: false,
    reason: 'category',
    message: 'vae is not a cached category (cache.categories: checkpoints, loras)',
  });
  t.deepEqual(admission({ category: 'embeddings', bytes: 30_000 }, rules), {
    ok: false,
    reason: 'too-small',
    message: '30.0 kB is under cache.minFileBytes (10.0 MB); it stays on the NAS',
  });
  t.deepEqual(admission({ category: 'checkpoints', bytes: 70e9 }, rules), {
    ok: false,
    reason: 'too-large',
    message: '70.0 GB is larger than the whole cache quota (cache.maxBytes 64.0 GB)',
  });
  t.deepEqual(admission({ category: 'checkpoints', bytes: 70e9 }, { ...rules, maxBytes: 0 }), { ok: true }, 'no quota, no limit');
});

const space: SpaceState = {
  cacheBytes: 50e9,
  reservedBytes: 0,
  pendingWriteBytes: 0,
  freeBytes: 400e9,
  totalBytes: 1000e9,
  maxBytes: 64e9,
  minFreeBytes: 50e9,
};

test('room: a copy fits while it stays under the quota and above the free-space floor', (t) => {
  t.deepEqual(roomFor(14e9, space), { kind: 'fits' });
  t.deepEqual(roomFor(30e9, { ...space, maxBytes: 0 }), { kind: 'fits' });
});

test('room: over the quota, counting running copies, the job waits', (t) => {
  t.is(roomFor(14e9 + 1, space).kind, 'wait');
  const withRunning = roomFor(7e9, { ...space, reservedBytes: 7e9 + 1 });
  t.is(withRunning.kind, 'wait');
  t.regex((withRunning as { message: string }).message, /^waiting for room: the cache holds 57\.0 GB of its 64\.0 GB quota$/);
});

test('room: below the free-space floor, counting what running copies still write, the job waits', (t) => {
  const tight = { ...space, maxBytes: 0, freeBytes: 60e9 };
  t.deepEqual(roomFor(10e9, tight), { kind: 'fits' });
  t.is(roomFor(10e9 + 1, tight).kind, 'wait');
  t.is(roomFor(5e9, { ...tight, pendingWriteBytes: 6e9 }).kind, 'wait');
});

test('room: what can never fit is said at once', (t) => {
  t.deepEqual(roomFor(65e9, space), { kind: 'never', message: '65.0 GB is larger than the cache quota (64.0 GB)' });
  t.is(roomFor(960e9, { ...space, maxBytes: 0 }).kind, 'never');
});

test('minFreeBytes is a size or a share of the filesystem', (t) => {
  t.is(minFreeBytesOf(20e9, 1000e9), 20e9);
  t.is(minFreeBytesOf('5%', 1000e9), 50e9);
  t.is(minFreeBytesOf('0%', 1000e9), 0);
});

test('priorities: a queued prompt before a saved workflow before a warm-up', (t) => {
  t.true(priorityRank('urgent') < priorityRank('workflow'));
  t.true(priorityRank('workflow') < priorityRank('warm'));
});
