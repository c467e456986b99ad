import test from 'ava';
import { RunDeduper } from '../../src/predict/run-deduper.js';

function clock(start = 0) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

test('a run counts once while it keeps being seen within the window', (t) => {
  const time = clock();
  const deduper = new RunDeduper({ windowMs: 1_000, now: time.now });
  t.deepEqual(deduper.observe('a', 0), { first: true, startedAt: 0 });
  time.advance(900);
  t.deepEqual(deduper.observe('a', 900), { first: false, startedAt: 0 });
  // Last seen at 900: still remembered at 1800, though first seen 1800 ms ago.
  time.advance(900);
  t.false(deduper.observe('a', 1_800).first);
  t.true(deduper.has('a'));
});

test('a run not seen for the whole window counts again', (t) => {
  const time = clock();
  const deduper = new RunDeduper({ windowMs: 1_000, now: time.now });
  deduper.observe('a', 0);
  deduper.observe('b', 0);
  time.advance(999);
  deduper.observe('b', 999);
  time.advance(1);
  t.false(deduper.has('a'));
  t.is(deduper.size, 1);
  t.deepEqual(deduper.observe('a', 1_000), { first: true, startedAt: 1_000 });
});

test('the earliest start reported for a run is kept', (t) => {
  const time = clock(5_000);
  const deduper = new RunDeduper({ now: time.now });
  t.is(deduper.observe('r', 4_000).startedAt, 4_000);
  t.is(deduper.observe('r', 4_500).startedAt, 4_000);
  t.is(deduper.observe('r', 3_000).startedAt, 3_000);
});
