import test from 'ava';
import { randomBytes } from 'node:crypto';
import { InlineSha256Hasher, WorkerSha256Hasher, createSha256Hasher } from '../../src/cache/sha256-hasher.js';
import { sha256Of } from '../helpers/cache-fixtures.js';

function sharedCopy(data: Buffer): Buffer {
  const shared = Buffer.from(new SharedArrayBuffer(data.length));
  data.copy(shared);
  return shared;
}

test('the worker and the inline hasher agree with node:crypto, over many chunks', async (t) => {
  const data = randomBytes(1_000_003);
  for (const hasher of [new WorkerSha256Hasher(), new InlineSha256Hasher()]) {
    for (let offset = 0; offset < data.length; offset += 65_536) {
      await hasher.update(sharedCopy(data.subarray(offset, offset + 65_536)));
    }
    t.is(await hasher.digest(), sha256Of(data));
    await hasher.close();
    await hasher.close();
  }
});

test('the worker hashes views at an offset inside a shared buffer', async (t) => {
  const shared = sharedCopy(Buffer.from('xxhelloyy'));
  const hasher = new WorkerSha256Hasher();
  t.teardown(() => hasher.close());
  await hasher.update(shared.subarray(2, 7));
  t.is(await hasher.digest(), sha256Of(Buffer.from('hello')));
});

test('the worker refuses memory it cannot share, and fails requests once closed', async (t) => {
  const hasher = new WorkerSha256Hasher();
  t.throws(() => hasher.update(Buffer.from('not shared')), { instanceOf: TypeError });
  await hasher.close();
  await t.throwsAsync(hasher.digest(), { message: /closed/ });
});

test('createSha256Hasher hashes small files inline and larger ones in a worker', async (t) => {
  const small = createSha256Hasher(100, 1024);
  const large = createSha256Hasher(2048, 1024);
  t.true(small instanceof InlineSha256Hasher);
  t.true(large instanceof WorkerSha256Hasher);
  await large.close();
});
