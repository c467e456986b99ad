import test from 'ava';
import { PrefetchJobs } from '../../src/core/prefetch-jobs.js';

const request = (key: string, priority: 'urgent' | 'workflow' | 'warm', origin = key, pin = false) => ({
  key,
  category: key.split('/')[0]!,
  name: key.split('/')[1]!,
  priority,
  origin,
  pin,
});

test('one job per key: asking again raises its priority (and origin) but never lowers it, and a pin sticks', (t) => {
  const jobs = new PrefetchJobs<{ copied: number }>();
  t.true(jobs.add(request('loras/a', 'warm', 'history'), 1).added);
  const again = jobs.add(request('loras/a', 'workflow', 'portrait.json saved', true), 2);
  t.false(again.added);
  t.like(again.job, { priority: 'workflow', origin: 'portrait.json saved', pin: true, requestedAt: 1 });
  jobs.add(request('loras/a', 'warm', 'history again'), 3);
  t.like(jobs.get('loras/a'), { priority: 'workflow', origin: 'portrait.json saved', pin: true });
  t.is(jobs.size, 1);
});

test('pending jobs run by priority, then in arrival order; running ones are apart', (t) => {
  const jobs = new PrefetchJobs<{ copied: number }>();
  jobs.add(request('checkpoints/w1', 'warm'), 0);
  jobs.add(request('checkpoints/s1', 'workflow'), 0);
  jobs.add(request('checkpoints/u1', 'urgent'), 0);
  jobs.add(request('checkpoints/s2', 'workflow'), 0);
  jobs.get('checkpoints/s1')!.active = { copied: 0 };
  t.deepEqual(
    jobs.pending().map((job) => job.key),
    ['checkpoints/u1', 'checkpoints/s2', 'checkpoints/w1'],
  );
  t.deepEqual(
    jobs.active().map((job) => job.key),
    ['checkpoints/s1'],
  );
  t.true(jobs.remove('checkpoints/u1'));
  t.false(jobs.remove('checkpoints/u1'));
  t.is(jobs.all().length, 3);
});
