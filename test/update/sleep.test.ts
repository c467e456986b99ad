import test from 'ava';
import { PausedError } from '../../src/update/errors.js';
import { sleep } from '../../src/update/sleep.js';

test('a sleep ends by itself', async (t) => {
  await t.notThrowsAsync(sleep(5));
  await t.notThrowsAsync(sleep(5, new AbortController().signal));
});

test('an abort ends a sleep with the reason it was given, so the caller can tell a pause from a failure', async (t) => {
  const controller = new AbortController();
  const waiting = sleep(60_000, controller.signal);
  controller.abort(new PausedError('the update window closed', 0));
  await t.throwsAsync(waiting, { instanceOf: PausedError, message: 'the update window closed' });
  await t.throwsAsync(sleep(60_000, controller.signal), { instanceOf: PausedError }, 'already aborted: at once');
});
