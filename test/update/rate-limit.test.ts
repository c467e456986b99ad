import test from 'ava';
import { DEFAULT_BACKOFF, retryDelayMs } from '../../src/update/rate-limit.js';

const NOW = Date.UTC(2025, 0, 4, 2, 0, 0);
/** The default policy without its jitter, for exact waits. */
const EXACT = { ...DEFAULT_BACKOFF, jitter: 0 };

test('without hints the wait doubles from the first delay up to the cap', (t) => {
  const delays = [0, 1, 2, 3, 4, 5, 6].map((attempt) => retryDelayMs(new Headers(), attempt, EXACT, NOW));
  t.deepEqual(delays, [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
});

test('Retry-After in seconds or as a date, and the RateLimit reset, set the wait', (t) => {
  t.is(retryDelayMs(new Headers({ 'retry-after': '12' }), 0, DEFAULT_BACKOFF, NOW), 12_000);
  t.is(retryDelayMs(new Headers({ 'retry-after': new Date(NOW + 20_000).toUTCString() }), 0, DEFAULT_BACKOFF, NOW), 20_000);
  t.is(retryDelayMs(new Headers({ ratelimit: '"api";r=0;t=45' }), 3, DEFAULT_BACKOFF, NOW), 45_000);
  t.is(retryDelayMs(new Headers({ ratelimit: '"api";r=0;t=0' }), 0, DEFAULT_BACKOFF, NOW), 1000, 'never less than the first delay');
  t.is(retryDelayMs(new Headers({ 'retry-after': 'soon' }), 1, EXACT, NOW), 2000, 'an unreadable hint falls back to the backoff');
});

test('a wait the updater works out itself is jittered, by up to half; one the hub announces is not', (t) => {
  const [shortest, longest] = [() => 0.999_999, () => 0];
  t.is(retryDelayMs(new Headers(), 2, DEFAULT_BACKOFF, NOW, longest), 4000, 'at most the exponential wait');
  t.is(retryDelayMs(new Headers(), 2, DEFAULT_BACKOFF, NOW, shortest), 2000, 'at least half of it');
  t.is(retryDelayMs(new Headers(), 9, DEFAULT_BACKOFF, NOW, longest), 30_000, 'capped');
  t.is(retryDelayMs(new Headers({ 'retry-after': '12' }), 2, DEFAULT_BACKOFF, NOW, shortest), 12_000);
  t.is(retryDelayMs(new Headers({ ratelimit: '"api";r=0;t=45' }), 2, DEFAULT_BACKOFF, NOW, shortest), 45_000);
});
