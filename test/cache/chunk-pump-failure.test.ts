import test from 'ava';
import { pumpChunks } from '../../src/cache/chunk-pump.js';

/** Rejects if the promise has not settled in time: a hang is the failure this file guards against. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_resolve, reject) => setTimeout(() => reject(new Error(`still pending after ${ms} ms: the pump hangs`)), ms).unref()),
  ]);
}

test('when every chunk in flight fails (a disk that fills up), the pump rejects instead of waiting forever', async (t) => {
  let reads = 0;
  const full = Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
  const pumped = pumpChunks({
    totalBytes: 64 * 1024,
    chunkBytes: 1024,
    depth: 4,
    read: (buffer) => {
      reads += 1;
      return Promise.resolve(buffer.length);
    },
    consume: async (_chunk, position) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (position >= 1024) throw full;
    },
  });
  const error = await t.throwsAsync(within(pumped, 5000));
  t.is(error, full);
  t.true(reads < 64, 'reading stopped after the failure');
});

test('a failure of the first chunk, with the pool exhausted behind it, also rejects', async (t) => {
  const failure = new Error('EIO');
  const pumped = pumpChunks({
    totalBytes: 10 * 1024,
    chunkBytes: 1024,
    depth: 2,
    read: (buffer) => Promise.resolve(buffer.length),
    consume: () => Promise.reject(failure),
  });
  t.is(await t.throwsAsync(within(pumped, 5000)), failure);
});
