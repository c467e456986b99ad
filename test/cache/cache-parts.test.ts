/**
 * The small parts the cache service is built from, each on its own: the
 * shared context's figures, the queue saver and the free-space watch.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import sinon from 'sinon';
import { CacheContext } from '../../src/cache/cache-context.js';
import type { CacheSettings } from '../../src/cache/cache-settings.js';
import { Ledger } from '../../src/cache/ledger.js';
import { QueueSaver } from '../../src/cache/queue-saver.js';
import { SpaceWatch } from '../../src/cache/space-watch.js';
import { Catalog } from '../../src/library/catalog.js';
import type { Logger } from '../../src/log/logger.js';
import { spyLogger, tempDir } from '../helpers/cache-fixtures.js';
import { eventually } from '../helpers/raw-socket.js';

const GB = 1024 ** 3;

const settings: CacheSettings = {
  enabled: true,
  root: '/ssd/cache',
  maxBytes: 100 * GB,
  minFreeBytes: '10%',
  minFileBytes: 0,
  categories: [],
  concurrency: 2,
  verify: 'size',
  lowWater: 0.9,
  trimSchedule: '0 4 * * *',
};

async function contextWith(t: Parameters<typeof tempDir>[0], logger: Logger = spyLogger()) {
  const dir = await tempDir(t);
  const catalog = new Catalog();
  const context = new CacheContext({
    settings,
    library: { catalog, on: () => undefined },
    logger,
    now: () => 1_000_000,
    signals: { announce: () => undefined, queueChanged: () => undefined, wake: () => undefined },
  });
  context.ledger = await Ledger.load(join(dir, 'ledger.json'), logger);
  t.teardown(() => context.ledger.close());
  return { context, dir };
}

function cacheEntry(name: string, size: number) {
  return { category: 'loras', name, size, sourcePath: `/nas/loras/${name}`, sourceSize: size, sourceMtimeMs: 1, cachedAt: 2, hits: 0, pinned: false };
}

function startCopy(context: CacheContext, name: string, size: number, copiedBytes: number): void {
  const { job } = context.queue.add({ key: `loras/${name}`, category: 'loras', name, priority: 'workflow', origin: 'w' }, 0);
  const source = { category: 'loras', name, folder: '/nas/loras', path: `/nas/loras/${name}`, size, mtimeMs: 1, available: true };
  job.active = { controller: new AbortController(), source, startedAt: 0, copiedBytes };
}

test('the context weighs the cached bytes and the running copies as admission sees them', async (t) => {
  const { context } = await contextWith(t);
  context.ledger.set(cacheEntry('kept.safetensors', 3 * GB));
  context.ledger.set(cacheEntry('recopied.safetensors', 2 * GB));
  startCopy(context, 'recopied.safetensors', 2 * GB, GB / 2);
  startCopy(context, 'new.safetensors', 4 * GB, GB);
  context.space = { freeBytes: 50 * GB, totalBytes: 200 * GB };
  t.is(context.cachedBytes(), 5 * GB);
  t.is(context.minFreeBytes(), 20 * GB);
  // A model being copied again is not the policy's to evict meanwhile.
  t.deepEqual(
    context.cachedModels().map((model) => model.key),
    ['loras/kept.safetensors'],
  );
  t.deepEqual(context.spaceState(), {
    cacheBytes: 5 * GB,
    reservedBytes: 6 * GB,
    pendingWriteBytes: 4.5 * GB,
    freeBytes: 50 * GB,
    totalBytes: 200 * GB,
    maxBytes: 100 * GB,
    minFreeBytes: 20 * GB,
  });
});

test('the queue saver gathers changes into one save, saves at once when asked, and never after stop began', async (t) => {
  const { context, dir } = await contextWith(t);
  const file = join(dir, 'prefetch-queue.json');
  const saver = new QueueSaver(context, file);
  const savedKeys = async () => (JSON.parse(await readFile(file, 'utf8')) as { jobs: Array<{ key: string }> }).jobs.map((job) => job.key);

  const saves = sinon.spy(context.queue, 'save');
  context.queue.add({ key: 'loras/a', category: 'loras', name: 'a', priority: 'warm', origin: 'x' }, 0);
  saver.soon();
  context.queue.add({ key: 'loras/b', category: 'loras', name: 'b', priority: 'warm', origin: 'x' }, 0);
  saver.soon();
  await eventually(
    async () => (await savedKeys().catch(() => [])).length === 2,
    5000,
    () => 'the gathered save',
  );
  t.is(saves.callCount, 1);

  context.queue.add({ key: 'loras/c', category: 'loras', name: 'c', priority: 'urgent', origin: 'x' }, 0);
  await saver.now();
  t.deepEqual(await savedKeys(), ['loras/a', 'loras/b', 'loras/c']);

  context.stopping = true;
  context.queue.remove('loras/c');
  saver.soon();
  await new Promise((resolve) => setTimeout(resolve, 400));
  t.deepEqual(await savedKeys(), ['loras/a', 'loras/b', 'loras/c'], 'nothing is scheduled once stop began');
  await saver.now();
  t.deepEqual(await savedKeys(), ['loras/a', 'loras/b'], 'the final save still writes');
});

test('a queue that cannot be saved is logged and does not fail the caller', async (t) => {
  const logger = spyLogger();
  const { context, dir } = await contextWith(t, logger);
  const saver = new QueueSaver(context, join(dir, 'no-such-folder', 'prefetch-queue.json'));
  await saver.now();
  t.true(logger.warn.calledWithMatch('could not save the prefetch queue'));
});

test('the space watch keeps the last reading of a filesystem it cannot read, and says so', async (t) => {
  const logger = spyLogger();
  const { context } = await contextWith(t, logger);
  let fail = false;
  const watch = new SpaceWatch(
    context,
    () =>
      fail
        ? Promise.reject(Object.assign(new Error('EIO: i/o error, statfs'), { code: 'EIO' }))
        : Promise.resolve({ freeBytes: 7 * GB, totalBytes: 9 * GB }),
    () => undefined,
  );
  await watch.refresh();
  fail = true;
  await watch.refresh();
  t.deepEqual(context.space, { freeBytes: 7 * GB, totalBytes: 9 * GB });
  t.true(logger.warn.calledWithMatch('cannot read the free space of the cache filesystem', { root: '/ssd/cache', err: 'EIO: i/o error, statfs' }));
});

test('a full filesystem is a problem, raised once, until the smallest copy that failed for it fits again', async (t) => {
  const { context } = await contextWith(t);
  let free = 0;
  let changes = 0;
  const watch = new SpaceWatch(
    context,
    () => Promise.resolve({ freeBytes: free, totalBytes: 100 * GB }),
    () => (changes += 1),
  );
  const { job } = context.queue.add({ key: 'loras/a', category: 'loras', name: 'a', priority: 'warm', origin: 'x' }, 0);
  job.notBefore = 5_000_000;
  watch.ranOut('loras/a', 3 * GB);
  watch.ranOut('loras/a', 2 * GB);
  t.deepEqual(watch.problems(), ['the cache filesystem is full: copying loras/a failed; free space on it, or lower cache.maxBytes']);
  t.is(changes, 1);
  // cache.minFreeBytes is 10 % of 100 GB: 10 GB must stay free besides the 2 GB the smaller copy needs.
  free = 11 * GB;
  await watch.refresh();
  t.is(watch.problems().length, 1);
  t.is(job.notBefore, 5_000_000);
  free = 12 * GB;
  await watch.refresh();
  t.deepEqual(watch.problems(), []);
  t.is(changes, 2);
  t.is(job.notBefore, 0);
});
