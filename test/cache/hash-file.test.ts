import test from 'ava';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hashFile } from '../../src/cache/hash-file.js';
import { sha256Of, tempDir } from '../helpers/cache-fixtures.js';

test('hashFile streams a file through the hasher', async (t) => {
  const dir = await tempDir(t);
  const data = randomBytes(3 * 1024 * 1024 + 17);
  await writeFile(join(dir, 'model.bin'), data);
  t.deepEqual(await hashFile(join(dir, 'model.bin'), { chunkBytes: 512 * 1024 }), {
    size: data.length,
    sha256: sha256Of(data),
  });
  await t.throwsAsync(hashFile(join(dir, 'missing.bin')), { code: 'ENOENT' });
});

test('onBytes reports each hashed chunk in order, and the reports add up to the file', async (t) => {
  const dir = await tempDir(t);
  const data = randomBytes(2 * 1024 * 1024 + 5);
  await writeFile(join(dir, 'model.bin'), data);
  const reports: number[] = [];
  const digest = await hashFile(join(dir, 'model.bin'), { chunkBytes: 512 * 1024, onBytes: (bytes) => reports.push(bytes) });
  t.is(digest.sha256, sha256Of(data));
  t.deepEqual(reports, [512 * 1024, 512 * 1024, 512 * 1024, 512 * 1024, 5]);
});

test('an empty file hashes to the sha256 of nothing, with no progress to report', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'empty.bin'), '');
  const reports: number[] = [];
  t.deepEqual(await hashFile(join(dir, 'empty.bin'), { onBytes: (bytes) => reports.push(bytes) }), { size: 0, sha256: sha256Of(Buffer.alloc(0)) });
  t.deepEqual(reports, []);
});

test('an aborted hash rejects and reports no more bytes', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'model.bin'), randomBytes(4 * 1024 * 1024));
  const controller = new AbortController();
  let reported = 0;
  const hashing = hashFile(join(dir, 'model.bin'), {
    chunkBytes: 256 * 1024,
    signal: controller.signal,
    onBytes: (bytes) => {
      reported += bytes;
      controller.abort();
    },
  });
  // The signal's own reason, a DOMException, as an aborted read gives it.
  await t.throwsAsync(hashing, { any: true, name: 'AbortError' });
  t.true(reported < 4 * 1024 * 1024, `reported ${reported} bytes`);
});
