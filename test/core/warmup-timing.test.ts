import test from 'ava';
import { COMFY_BUSY_MS, WARMUP_EVERY_MS, warmupDue, warmupRequests } from '../../src/core/policy/warmup.js';

const NOW = Date.UTC(2026, 0, 5, 18);

test('a warm-up is due only with nothing queued, none for a while and no generation just now', (t) => {
  const idle = { queuedJobs: 0, lastWarmup: 0, lastRunAt: undefined };
  t.true(warmupDue(NOW, idle));
  t.false(warmupDue(NOW, { ...idle, queuedJobs: 1 }));
  t.false(warmupDue(NOW, { ...idle, lastWarmup: NOW - WARMUP_EVERY_MS + 1 }));
  t.true(warmupDue(NOW, { ...idle, lastWarmup: NOW - WARMUP_EVERY_MS }));
  t.false(warmupDue(NOW, { ...idle, lastRunAt: NOW - COMFY_BUSY_MS + 1 }));
  t.true(warmupDue(NOW, { ...idle, lastRunAt: NOW - COMFY_BUSY_MS }));
});

test('warm-up candidates become one request per workflow, saying where the guess comes from', (t) => {
  const requests = warmupRequests([
    { key: 'checkpoints/a', workflow: 'portrait', score: 0.5 },
    { key: 'loras/b', workflow: 'upscale', score: 0.3 },
    { key: 'loras/c', workflow: 'portrait', score: 0.5 },
  ]);
  t.deepEqual(requests, [
    { workflow: 'portrait', keys: ['checkpoints/a', 'loras/c'], origin: 'history: portrait usually runs about now' },
    { workflow: 'upscale', keys: ['loras/b'], origin: 'history: upscale usually runs about now' },
  ]);
});
