import test from 'ava';
import { copyRetryDelay } from '../../src/cache/copy-retry.js';
import {
  CacheIoError,
  CopyAbortedError,
  NoSpaceError,
  PathError,
  SourceChangedError,
  SourceMissingError,
  SourceReadError,
  VerifyError,
} from '../../src/cache/errors.js';

const reachable = { available: true };
const away = { available: false };
/** No jitter: each wait is the whole exponential value. */
const noJitter = () => 0;
const fsError = (code: string) => Object.assign(new Error(code), { code });

function waits(error: unknown, source: { available: boolean } | undefined, random = noJitter): Array<number | undefined> {
  return [1, 2, 3, 4, 5].map((attempts) => copyRetryDelay({ error, attempts, source }, random));
}

test('a library file that cannot be read is tried again after growing waits while its folder is there', (t) => {
  t.deepEqual(waits(new SourceMissingError('/nas/a', { cause: fsError('EIO') }), reachable), [5000, 10_000, 20_000, 20_000, undefined]);
  t.deepEqual(waits(new SourceReadError('/nas/a', { cause: fsError('EACCES') }), reachable), [5000, 10_000, 20_000, 20_000, undefined]);
});

test('a copy that met a changed file, or failed verification, is tried again sooner', (t) => {
  t.deepEqual(waits(new SourceChangedError('/nas/a', 'size'), reachable), [2000, 4000, 8000, 8000, undefined]);
  t.deepEqual(waits(new VerifyError('loras/a', 'sha256', 'aa', 'bb'), reachable), [2000, 4000, 8000, 8000, undefined]);
});

test('a full cache filesystem waits a minute between tries', (t) => {
  t.deepEqual(waits(new NoSpaceError('loras/a'), reachable), [60_000, 60_000, 60_000, 60_000, undefined]);
});

test('a copy whose library folder is away waits for the folder, not for a clock, and one gone from the library is dropped', (t) => {
  t.deepEqual(waits(new SourceMissingError('/nas/a'), away), [0, 0, 0, 0, undefined]);
  t.deepEqual(waits(new SourceMissingError('/nas/a'), undefined), [undefined, undefined, undefined, undefined, undefined]);
});

test('failures that waiting cannot mend are not tried again', (t) => {
  for (const error of [
    new CacheIoError('/ssd/a', 'write', { cause: fsError('EROFS') }),
    new PathError('../a', 'outside'),
    new CopyAbortedError('loras/a'),
    new Error('bug'),
  ]) {
    t.is(copyRetryDelay({ error, attempts: 1, source: reachable }), undefined, error.name);
  }
});

test('jitter takes up to half off each wait and never adds to it, so copies that failed together spread out', (t) => {
  const error = new SourceMissingError('/nas/a');
  t.deepEqual(
    waits(error, reachable, () => 0.999_999),
    [2500, 5000, 10_000, 10_000, undefined],
  );
  for (let run = 0; run < 50; run += 1) {
    const wait = copyRetryDelay({ error, attempts: 2, source: reachable })!;
    t.true(wait >= 5000 && wait <= 10_000, `${wait}`);
  }
});
