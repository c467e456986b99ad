import test from 'ava';
import { summarize, summaryLine } from '../../src/cli/prefetch-summary.js';
import type { PrefetchOutcome } from '../../src/control/contract/cache.js';

const outcome = (key: string, status: PrefetchOutcome['status']): PrefetchOutcome => {
  const [category, name] = key.split('/') as [string, string];
  return { category, name, key, status };
};

test('the summary line says what was copied, how much, how long and how fast', (t) => {
  const summary = summarize(
    [outcome('checkpoints/a', 'queued'), outcome('loras/b', 'queued'), outcome('vae/c', 'copying')],
    [
      { key: 'checkpoints/a', status: 'done', bytes: 6.9e9 },
      { key: 'loras/b', status: 'done', bytes: 0.5e9 },
      { key: 'vae/c', status: 'done', bytes: 5e9 },
    ],
    41,
  );
  t.like(summary, { copied: 3, bytes: 12.4e9, bytesPerSecond: 302_439_024, alreadyCached: 0, failed: 0 });
  t.is(summaryLine(summary), 'cached 3 models, 12.4 GB in 41 s (302 MB/s)');
});

test('the summary line adds what was already there, skipped, failed or dropped', (t) => {
  const summary = summarize(
    [outcome('a/x', 'cached'), outcome('a/y', 'queued'), outcome('a/z', 'wanted'), outcome('a/w', 'skipped'), outcome('a/v', 'queued')],
    [
      { key: 'a/y', status: 'done', bytes: 2e6 },
      { key: 'a/z', status: 'dropped', message: 'the file never settled' },
      { key: 'a/v', status: 'failed', message: 'disk full' },
    ],
    0.4,
  );
  t.is(summaryLine(summary), 'cached 1 model, 2.0 MB in 0.4 s (5.0 MB/s); 1 already on the SSD; 1 skipped; 1 failed; 1 no longer wanted');
});

test('nothing to copy is said as such, with no speed', (t) => {
  const summary = summarize([outcome('a/x', 'cached'), outcome('a/y', 'cached')], [], 0.01);
  t.like(summary, { copied: 0, bytesPerSecond: 0, alreadyCached: 2 });
  t.is(summaryLine(summary), 'nothing copied; 2 already on the SSD');
});
