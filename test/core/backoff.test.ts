import test from 'ava';
import { backoffDelay } from '../../src/core/backoff.js';

test('without jitter the wait doubles from the first and stops at the cap', (t) => {
  const policy = { firstMs: 1000, maxMs: 30_000, jitter: 0 };
  t.deepEqual(
    [1, 2, 3, 4, 5, 6, 7].map((failures) => backoffDelay(failures, policy)),
    [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000],
  );
});

test('jitter takes a random share off each wait, never more than asked, never adding', (t) => {
  const policy = { firstMs: 1000, maxMs: 30_000, jitter: 0.5 };
  t.is(
    backoffDelay(3, policy, () => 0),
    4000,
  );
  t.is(
    backoffDelay(3, policy, () => 0.999_999),
    2000,
  );
  t.is(
    backoffDelay(3, policy, () => 0.5),
    3000,
  );
  for (let index = 0; index < 100; index += 1) {
    const wait = backoffDelay(10, policy);
    t.true(wait >= 15_000 && wait <= 30_000);
  }
});

test('another factor grows the wait by it', (t) => {
  t.is(backoffDelay(3, { firstMs: 100, maxMs: 10_000, factor: 3, jitter: 0 }), 900);
});
