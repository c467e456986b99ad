import test from 'ava';
import { DownloadPace, type PaceVerdict } from '../../src/update/download-pace.js';

const MB = 1_000_000;
const limits = { windowMs: 60_000, minBytesPerSecond: 100_000 };

/** Feeds `bytesPerSecond` in 100 ms steps from `from` to `to` (ms). */
function feed(pace: DownloadPace, from: number, to: number, bytesPerSecond: number): void {
  for (let at = from; at < to; at += 100) pace.received(at, bytesPerSecond / 10);
}

test('nothing is judged before the connection has been open for a whole window', (t) => {
  const pace = new DownloadPace(limits, 0);
  t.is(pace.verdict(59_999), undefined, 'no byte yet, but the answer may still come');
  t.like(pace.verdict(60_000), { kind: 'stalled', windowMs: 60_000 });
});

test('a healthy download that stops dead for most of a window is not judged slow', (t) => {
  const pace = new DownloadPace(limits, 0);
  feed(pace, 0, 30_000, 10 * MB);
  // 50 s without a byte: 100 MB still sit in the last 60 s.
  for (let at = 30_000; at <= 80_000; at += 1000) t.is(pace.verdict(at), undefined, `at ${at} ms`);
  feed(pace, 80_000, 90_000, 10 * MB);
  t.is(pace.verdict(90_000), undefined);
});

test('a drip of a byte every five seconds falls below the floor within one window', (t) => {
  const pace = new DownloadPace(limits, 0);
  let verdict: PaceVerdict | undefined;
  for (let at = 0; at <= 70_000 && verdict === undefined; at += 1000) {
    if (at % 5000 === 0) pace.received(at, 1);
    verdict = pace.verdict(at);
  }
  t.like(verdict, { kind: 'slow', windowMs: 60_000, minBytesPerSecond: 100_000 });
  t.true(verdict?.kind === 'slow' && verdict.bytesPerSecond > 0 && verdict.bytesPerSecond < 1, 'the rate seen: a few bytes a minute');
});

test('a steady rate just above the floor keeps going; just below it does not', (t) => {
  const above = new DownloadPace(limits, 0);
  feed(above, 0, 300_000, 120_000);
  t.is(above.verdict(300_000), undefined);
  const below = new DownloadPace(limits, 0);
  feed(below, 0, 300_000, 80_000);
  t.like(below.verdict(300_000), { kind: 'slow' });
});

test('a download that was fast and then stops for a whole window has stalled', (t) => {
  const pace = new DownloadPace(limits, 0);
  feed(pace, 0, 10_000, 50 * MB);
  t.is(pace.verdict(69_000), undefined, 'the last byte came less than a window ago');
  // Judged on slots of a tenth of the window: a stall shows within a window and a tenth of the last byte.
  t.like(pace.verdict(76_000), { kind: 'stalled' });
});

test('with no minimum rate, only a stall is judged', (t) => {
  const pace = new DownloadPace({ windowMs: 1000, minBytesPerSecond: 0 }, 0);
  for (let at = 0; at <= 10_000; at += 900) {
    pace.received(at, 1);
    t.is(pace.verdict(at), undefined);
  }
  t.like(pace.verdict(12_000), { kind: 'stalled', windowMs: 1000 });
});
