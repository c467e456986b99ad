import test from 'ava';
import { WantedSet } from '../../src/core/wanted.js';

const HOUR = 3_600_000;

test('a save replaces what the same workflow wanted before; other origins keep theirs', (t) => {
  const set = new WantedSet();
  set.note(
    'w.json',
    [
      { category: 'checkpoints', name: 'a.safetensors' },
      { category: 'loras', name: 'b.safetensors' },
    ],
    { priority: 'workflow', now: 0, replace: true },
  );
  set.note('prompt 1', [{ category: 'loras', name: 'b.safetensors' }], { priority: 'urgent', now: 1, replace: false });
  const change = set.note('w.json', [{ category: 'checkpoints', name: 'a.safetensors' }], { priority: 'workflow', now: 2, replace: true });
  t.deepEqual(change.added, [], 'a.safetensors was already wanted: not added twice');
  t.deepEqual(
    change.dropped.map(({ entry, reason }) => [entry.origin, entry.name, reason]),
    [['w.json', 'b.safetensors', 'replaced']],
  );
  t.deepEqual(
    set.entries().map((entry) => [entry.origin, entry.name, entry.since]),
    [
      ['w.json', 'a.safetensors', 0],
      ['prompt 1', 'b.safetensors', 1],
    ],
    'a repeated ask keeps its first time, so expiry counts from it',
  );
});

test('a release takes every origin waiting for the file, and entries of unknown category with its name', (t) => {
  const set = new WantedSet();
  set.note('w1', [{ category: 'clip', name: 'SD\\t5.safetensors' }], { priority: 'workflow', now: 0, replace: true });
  set.note('w2', [{ category: null, name: 'SD/t5.safetensors' }], { priority: 'urgent', now: 0, replace: false });
  set.note('w3', [{ category: 'loras', name: 'SD/t5.safetensors' }], { priority: 'warm', now: 0, replace: false });
  t.true(set.has('text_encoders', 'SD/t5.safetensors'), 'the alias and the backslash are the same model');
  const released = set.release('text_encoders', 'SD/t5.safetensors');
  t.deepEqual(released.map((entry) => entry.origin).sort(), ['w1', 'w2']);
  t.deepEqual(
    set.entries().map((entry) => entry.origin),
    ['w3'],
    'a file of another category answers nobody else',
  );
});

test('entries expire after their time, and past the cap the oldest go first', (t) => {
  const set = new WantedSet({ ttlMs: 24 * HOUR, maxEntries: 3 });
  for (let index = 0; index < 4; index += 1) {
    set.note(`w${index}`, [{ category: 'checkpoints', name: `${index}.safetensors` }], { priority: 'workflow', now: index * HOUR, replace: true });
  }
  t.deepEqual(
    set.entries().map((entry) => entry.origin),
    ['w1', 'w2', 'w3'],
    'the oldest left at the cap',
  );
  t.deepEqual(
    set.expire(24 * HOUR + HOUR - 1).map(({ entry, reason }) => [entry.origin, reason]),
    [],
  );
  t.deepEqual(
    set.expire(24 * HOUR + HOUR).map(({ entry, reason }) => [entry.origin, reason]),
    [['w1', 'expired']],
  );
  t.is(set.size, 2);
});

test('asking again raises the priority and keeps a pin', (t) => {
  const set = new WantedSet();
  set.note('x', [{ category: 'checkpoints', name: 'a.safetensors' }], { priority: 'warm', now: 0, replace: false, pin: true });
  set.note('x', [{ category: 'checkpoints', name: 'a.safetensors' }], { priority: 'urgent', now: 5, replace: false });
  set.note('x', [{ category: 'checkpoints', name: 'a.safetensors' }], { priority: 'workflow', now: 6, replace: false });
  t.like(set.entries()[0], { priority: 'urgent', pin: true, since: 0 });
});
