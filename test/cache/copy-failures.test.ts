import fs from 'node:fs';
import test from 'ava';
import { copyIntoCache } from '../../src/cache/copier.js';
import { NoSpaceError, SourceMissingError, VerifyError } from '../../src/cache/errors.js';
import type { FreeSpace } from '../../src/cache/free-space.js';
import { CacheHarness } from '../helpers/cache-harness.js';
import { eventually } from '../helpers/raw-socket.js';

const MB = 1024 * 1024;
const GB = 1024 * MB;

test('a copy that fails verification is tried again after a short wait, and lands', async (t) => {
  let calls = 0;
  const h = await CacheHarness.create(
    t,
    {},
    {
      copy: async (tree, request) => {
        calls += 1;
        if (calls === 1) throw new VerifyError(`${request.category}/${request.name}`, 'sha256', 'aa', 'bb');
        return copyIntoCache(tree, request);
      },
    },
  );
  const source = h.addModel('loras', 'a.safetensors', 2 * MB);
  h.service.request([{ category: 'loras', name: 'a.safetensors' }], 'workflow', 'w');
  const failed = await h.waitForEvent((event) => event.event === 'prefetch.failed', 'the first copy failing');
  t.like(failed, { key: 'loras/a.safetensors', code: 'E_VERIFY', retry: true });
  await h.waitForDone('loras/a.safetensors');
  t.is(calls, 2);
  t.true(fs.readFileSync(h.cachePath('loras', 'a.safetensors')).equals(fs.readFileSync(source)));
  t.like(h.service.stats(), { prefetch: { completed: 1, failed: 1, queued: 0, active: 0 } });
});

test('a copy whose library file is gone from the library is dropped, not tried again', async (t) => {
  const h = await CacheHarness.create(
    t,
    {},
    {
      copy: (_tree, request) => {
        fs.rmSync(request.source);
        h.announce(request.category, request.name);
        return Promise.reject(new SourceMissingError(request.source, { cause: Object.assign(new Error('gone'), { code: 'ENOENT' }) }));
      },
    },
  );
  h.addModel('loras', 'gone.safetensors', MB);
  h.service.request([{ category: 'loras', name: 'gone.safetensors' }], 'workflow', 'w');
  const failed = await h.waitForEvent((event) => event.event === 'prefetch.failed', 'the copy failing');
  t.like(failed, { key: 'loras/gone.safetensors', code: 'E_SOURCE_MISSING', retry: false });
  t.deepEqual(h.service.list(), []);
  t.false(h.service.holds('loras/gone.safetensors'));
});

test('a full cache filesystem is a problem until the space the copy needed is free again, and then the copy tries again at once', async (t) => {
  let space: FreeSpace = { freeBytes: 10 * GB, totalBytes: 20 * GB };
  let calls = 0;
  const h = await CacheHarness.create(
    t,
    {},
    {
      freeSpace: () => Promise.resolve(space),
      copy: async (tree, request) => {
        calls += 1;
        if (calls > 1) return copyIntoCache(tree, request);
        // Other data filled the disk while the copy ran.
        space = { freeBytes: 0, totalBytes: 20 * GB };
        throw new NoSpaceError(`${request.category}/${request.name}`);
      },
    },
  );
  let problemEvents = 0;
  h.service.on('problems', () => (problemEvents += 1));
  h.addModel('checkpoints', 'big.safetensors', 4 * MB);
  h.service.request([{ category: 'checkpoints', name: 'big.safetensors' }], 'workflow', 'w');
  t.like(await h.waitForEvent((event) => event.event === 'prefetch.failed', 'the copy failing for space'), { code: 'E_NO_SPACE', retry: true });
  t.deepEqual(h.service.problems(), [
    'the cache filesystem is full: copying checkpoints/big.safetensors failed; free space on it, or lower cache.maxBytes',
  ]);
  t.is(problemEvents, 1);
  // Several periodic checks later, nothing was freed: the problem stays and the copy waits.
  await new Promise((resolve) => setTimeout(resolve, 600));
  t.is(h.service.problems().length, 1);
  t.is(calls, 1);
  // Freed space ends the wait at the next check, long before the retry's own minute would.
  space = { freeBytes: 10 * GB, totalBytes: 20 * GB };
  await h.waitForDone('checkpoints/big.safetensors');
  await eventually(
    () => h.service.problems().length === 0,
    5000,
    () => `problems: ${JSON.stringify(h.service.problems())}`,
  );
  t.is(problemEvents, 2);
  t.is(calls, 2);
});
