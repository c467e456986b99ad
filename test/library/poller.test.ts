import test from 'ava';
import sinon from 'sinon';
import { Poller } from '../../src/library/poller.js';

test.serial('runs repeat on the interval, never overlap, and a failure is reported and the next run still comes', async (t) => {
  const clock = sinon.useFakeTimers();
  t.teardown(() => clock.restore());
  const starts: number[] = [];
  const errors: unknown[] = [];
  let running = 0;
  let overlapped = false;
  const poller = new Poller({
    intervalMs: 100,
    task: async () => {
      overlapped ||= running > 0;
      running += 1;
      starts.push(Date.now());
      await new Promise((resolve) => setTimeout(resolve, 250));
      running -= 1;
      if (starts.length === 1) throw new Error('NAS hiccup');
    },
    onError: (error) => errors.push(error),
  });
  await clock.tickAsync(1000);
  const stopping = poller.stop();
  await clock.tickAsync(300);
  await stopping;
  // Each run starts 100 ms after the previous one ended (250 ms long).
  t.deepEqual(starts.slice(0, 3), [100, 450, 800]);
  t.false(overlapped);
  t.is(errors.length, 1);
});

test.serial('stop waits for the run in progress and ends the loop', async (t) => {
  const clock = sinon.useFakeTimers();
  t.teardown(() => clock.restore());
  let runs = 0;
  let finished = false;
  const poller = new Poller({
    intervalMs: 10,
    task: async () => {
      runs += 1;
      await new Promise((resolve) => setTimeout(resolve, 50));
      finished = true;
    },
    onError: () => t.fail(),
  });
  await clock.tickAsync(20);
  const stopping = poller.stop();
  await clock.tickAsync(50);
  await stopping;
  t.true(finished);
  await clock.tickAsync(1000);
  t.is(runs, 1);
  await poller.stop();
});
