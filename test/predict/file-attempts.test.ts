import test from 'ava';
import sinon from 'sinon';
import { ATTEMPT_DONE, FileAttempts, retryBecause, type AttemptResult, type FileAttemptsOptions } from '../../src/predict/file-attempts.js';

function setup(t: import('ava').ExecutionContext, answer: (file: string, tries: number) => AttemptResult | Promise<AttemptResult>) {
  const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  t.teardown(() => clock.restore());
  const tries: Array<{ file: string; at: number }> = [];
  const gaveUp: string[] = [];
  const errors: string[] = [];
  const options: FileAttemptsOptions = {
    debounceMs: 20,
    retryDelaysMs: [50, 100],
    attempt: async (file) => {
      tries.push({ file, at: Date.now() });
      return answer(file, tries.filter((entry) => entry.file === file).length);
    },
    onGiveUp: (file, reason) => gaveUp.push(`${file}: ${reason}`),
    onError: (file, error) => errors.push(`${file}: ${(error as Error).message}`),
  };
  return { clock, tries, gaveUp, errors, attempts: new FileAttempts(options) };
}

test.serial('a burst of events is one try after the debounce', async (t) => {
  const { clock, tries, attempts } = setup(t, () => ATTEMPT_DONE);
  attempts.touch('a');
  await clock.tickAsync(10);
  attempts.touch('a');
  await clock.tickAsync(10);
  attempts.touch('a');
  await clock.tickAsync(100);
  t.deepEqual(tries, [{ file: 'a', at: 40 }]);
  t.is(attempts.size, 0);
});

test.serial('an incomplete file is tried again after each delay, then given up with the last reason', async (t) => {
  const { clock, tries, gaveUp, attempts } = setup(t, (_file, count) => retryBecause(`try ${count} incomplete`));
  attempts.touch('a');
  await clock.tickAsync(1_000);
  t.deepEqual(
    tries.map((entry) => entry.at),
    [20, 70, 170],
  );
  t.deepEqual(gaveUp, ['a: try 3 incomplete']);
});

test.serial('a new event starts the tries over, and a try overtaken by it announces nothing', async (t) => {
  let release: (() => void) | undefined;
  const seen: boolean[] = [];
  const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  t.teardown(() => clock.restore());
  const attempts = new FileAttempts({
    debounceMs: 20,
    retryDelaysMs: [50],
    attempt: async (_file, isCurrent) => {
      if (release === undefined) await new Promise<void>((resolve) => (release = resolve));
      seen.push(isCurrent());
      return ATTEMPT_DONE;
    },
    onGiveUp: () => t.fail('nothing is given up'),
    onError: () => t.fail('nothing fails'),
  });
  attempts.touch('a');
  await clock.tickAsync(20);
  // The first try is reading; the file changes.
  attempts.touch('a');
  release?.();
  await clock.tickAsync(20);
  t.deepEqual(seen, [false, true]);
  t.is(attempts.size, 0);
});

test.serial('a try that throws drops the file and reports it; stop drops everything pending', async (t) => {
  const { clock, tries, errors, attempts } = setup(t, (file) => {
    if (file === 'bad') throw new Error('EACCES');
    return retryBecause('incomplete');
  });
  attempts.touch('bad');
  attempts.touch('slow');
  await clock.tickAsync(20);
  t.deepEqual(errors, ['bad: EACCES']);
  attempts.stop();
  attempts.touch('late');
  await clock.tickAsync(1_000);
  t.deepEqual(
    tries.map((entry) => entry.file),
    ['bad', 'slow'],
  );
  t.is(attempts.size, 0);
});
