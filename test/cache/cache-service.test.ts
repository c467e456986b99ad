import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import sinon from 'sinon';
import { ArenaError } from '../../src/core/arena-error.js';
import { CacheHarness } from '../helpers/cache-harness.js';
import { eventually } from '../helpers/raw-socket.js';

const MB = 1024 * 1024;

test('a requested model is copied byte-identical, recorded in the ledger, and listed as cached', async (t) => {
  const h = await CacheHarness.create(t);
  const source = h.addModel('checkpoints', 'sdxl/base.safetensors', 8 * MB);
  const [outcome] = h.service.request([{ category: 'checkpoints', name: 'sdxl\\base.safetensors' }], 'workflow', 'portrait.json');
  t.like(outcome, { key: 'checkpoints/sdxl/base.safetensors', status: 'queued', bytes: 8 * MB });
  await h.waitForDone('checkpoints/sdxl/base.safetensors');
  t.true(fs.readFileSync(h.cachePath('checkpoints', 'sdxl/base.safetensors')).equals(fs.readFileSync(source)));
  t.deepEqual(fs.readdirSync(path.join(h.cacheRoot, '.arena', 'staging')), []);
  const [entry] = h.service.list();
  t.like(entry, { key: 'checkpoints/sdxl/base.safetensors', state: 'cached', bytes: 8 * MB, pinned: false, hits: 0 });
  t.like(h.service.stats(), { cache: { bytes: 8 * MB, files: 1 }, prefetch: { completed: 1, failed: 0, bytesCopied: 8 * MB } });
  const names = h.events.map((event) => event.event);
  t.deepEqual(
    names.filter((name) => name !== 'prefetch.progress'),
    ['prefetch.queued', 'prefetch.started', 'prefetch.done'],
  );
  t.true(names.includes('prefetch.progress'));
  const done = h.events.find((event) => event.event === 'prefetch.done');
  t.regex((done as { sha256: string }).sha256, /^[0-9a-f]{64}$/);
});

test('requests are deduplicated, and asking again for a cached model says cached', async (t) => {
  const h = await CacheHarness.create(t, { concurrency: 1 });
  h.addModel('loras', 'a.safetensors', 2 * MB);
  const first = h.service.request([{ category: 'loras', name: 'a.safetensors' }], 'warm', 'history');
  const second = h.service.request([{ category: 'loras', name: 'a.safetensors' }], 'urgent', 'prompt 1');
  t.is(first[0]!.status, 'queued');
  t.not(second[0]!.status, 'skipped');
  await h.waitForDone('loras/a.safetensors');
  t.is(h.events.filter((event) => event.event === 'prefetch.queued').length, 1);
  t.is(h.events.filter((event) => event.event === 'prefetch.started').length, 1);
  t.like(h.service.request([{ category: 'loras', name: 'a.safetensors' }], 'workflow', 'again')[0], { status: 'cached' });
});

test('urgent work runs before saved workflows, which run before warm-ups', async (t) => {
  const h = await CacheHarness.create(t, { concurrency: 1 });
  for (const name of ['blocker', 'warm', 'workflow', 'urgent']) h.addModel('loras', `${name}.safetensors`, 4 * MB);
  h.service.request([{ category: 'loras', name: 'blocker.safetensors' }], 'warm', 'x');
  await h.waitForEvent((event) => event.event === 'prefetch.started', 'the blocker running');
  h.service.request([{ category: 'loras', name: 'warm.safetensors' }], 'warm', 'x');
  h.service.request([{ category: 'loras', name: 'workflow.safetensors' }], 'workflow', 'x');
  h.service.request([{ category: 'loras', name: 'urgent.safetensors' }], 'urgent', 'x');
  await h.waitForDone('loras/warm.safetensors');
  const started = h.events.filter((event) => event.event === 'prefetch.started').map((event) => event.key);
  t.deepEqual(started, ['loras/blocker.safetensors', 'loras/urgent.safetensors', 'loras/workflow.safetensors', 'loras/warm.safetensors']);
});

test('what settings exclude, or what is missing, is never copied and the answer says why', async (t) => {
  const h = await CacheHarness.create(t, { categories: ['checkpoints', 'loras'], minFileBytes: 1 * MB, maxBytes: 10 * MB });
  h.addModel('vae', 'v.safetensors', 2 * MB);
  h.addModel('loras', 'tiny.safetensors', 1000);
  h.addModel('checkpoints', 'huge.safetensors', 11 * MB);
  const outcomes = h.service.request(
    [
      { category: 'vae', name: 'v.safetensors' },
      { category: 'loras', name: 'tiny.safetensors' },
      { category: 'checkpoints', name: 'huge.safetensors' },
      { category: 'loras', name: 'absent.safetensors' },
    ],
    'urgent',
    'test',
  );
  t.deepEqual(
    outcomes.map((outcome) => [outcome.status, outcome.reason]),
    [
      ['skipped', 'category'],
      ['skipped', 'too-small'],
      ['skipped', 'too-large'],
      ['skipped', 'not-found'],
    ],
  );
  t.is(outcomes[0]!.message, 'vae is not a cached category (cache.categories: checkpoints, loras)');
  t.is(outcomes[3]!.message, 'loras/absent.safetensors is not in the library');
  t.deepEqual(h.service.list(), []);
});

test('cache.enable=false copies nothing, and hits, misses, ls and stats still work', async (t) => {
  const h = await CacheHarness.create(t, { enabled: false });
  h.addModel('loras', 'a.safetensors', MB);
  t.like(h.service.request([{ category: 'loras', name: 'a.safetensors' }], 'urgent', 'x')[0], {
    status: 'skipped',
    reason: 'disabled',
    message: 'cache.enable is off: Arena copies nothing',
  });
  t.deepEqual(h.service.recordRun([{ category: 'loras', name: 'a.safetensors' }], Date.now(), 'run'), { hits: 0, misses: 1 });
  t.like(h.service.stats(), { misses: 1, cache: { files: 0 }, prefetch: { completed: 0, queued: 0 } });
  t.false(fs.existsSync(h.cachePath('loras', 'a.safetensors')));
  t.regex(h.service.summary(), /copying off/);
});

test('within the quota, a newcomer worth more per byte evicts what is worth less', async (t) => {
  const h = await CacheHarness.create(t, { maxBytes: 10 * MB, concurrency: 1 });
  h.addModel('checkpoints', 'guess.safetensors', 6 * MB);
  h.addModel('checkpoints', 'queued.safetensors', 6 * MB);
  h.service.request([{ category: 'checkpoints', name: 'guess.safetensors' }], 'warm', 'history');
  await h.waitForDone('checkpoints/guess.safetensors');
  h.service.request([{ category: 'checkpoints', name: 'queued.safetensors' }], 'urgent', 'prompt 7 queued');
  await h.waitForDone('checkpoints/queued.safetensors');
  const evicted = h.events.find((event) => event.event === 'cache.evicted');
  t.like(evicted, { key: 'checkpoints/guess.safetensors', bytes: 6 * MB });
  t.regex(
    (evicted as { reason: string }).reason,
    /^made room for checkpoints\/queued\.safetensors \(wanted by prompt 7 queued, .*\); it was wanted by history, /,
  );
  t.deepEqual(
    h.service.list().map((entry) => entry.key),
    ['checkpoints/queued.safetensors'],
  );
  t.true(h.service.stats().cache.bytes <= 10 * MB);
});

test('a newcomer worth no more than what is cached is not admitted, and the answer says why', async (t) => {
  const h = await CacheHarness.create(t, { maxBytes: 10 * MB, concurrency: 1 });
  h.addModel('checkpoints', 'a.safetensors', 6 * MB);
  h.addModel('checkpoints', 'b.safetensors', 6 * MB);
  h.service.request([{ category: 'checkpoints', name: 'a.safetensors' }], 'urgent', 'prompt 1 queued');
  await h.waitForDone('checkpoints/a.safetensors');
  h.service.request([{ category: 'checkpoints', name: 'b.safetensors' }], 'warm', 'history');
  const refused = await h.waitForEvent((event) => event.event === 'prefetch.failed', 'b refused');
  t.like(refused, { key: 'checkpoints/b.safetensors', code: 'E_NOT_ADMITTED', retry: false });
  t.regex(
    (refused as { message: string }).message,
    /^not admitted: making room for checkpoints\/b\.safetensors would evict checkpoints\/a\.safetensors \(wanted by prompt 1 queued, .*\), which is worth more to keep$/,
  );
  t.deepEqual(
    h.service.list().map((entry) => entry.key),
    ['checkpoints/a.safetensors'],
  );
});

test('a copy waits while the room is held by a copy still running, then makes its own room', async (t) => {
  const h = await CacheHarness.create(t, { maxBytes: 100 * MB, concurrency: 2 });
  h.addModel('checkpoints', 'first.safetensors', 64 * MB);
  h.addModel('checkpoints', 'second.safetensors', 64 * MB);
  h.service.request([{ category: 'checkpoints', name: 'first.safetensors' }], 'warm', 'history');
  await h.waitForEvent((event) => event.event === 'prefetch.started', 'the first copy running');
  h.service.request([{ category: 'checkpoints', name: 'second.safetensors' }], 'urgent', 'prompt 2 queued');
  await h.waitForDone('checkpoints/second.safetensors');
  const position = (name: string, key: string) => h.events.findIndex((event) => event.event === name && event.key === key);
  t.true(
    position('prefetch.done', 'checkpoints/first.safetensors') < position('prefetch.started', 'checkpoints/second.safetensors'),
    'the second copy started only once the first had landed: never both at once over the quota',
  );
  t.true(h.service.stats().cache.bytes <= 100 * MB);
  t.deepEqual(
    h.service.list().map((entry) => entry.key),
    ['checkpoints/second.safetensors'],
  );
});

test('when the library file changes, the cached copy is removed at once and copied again while still wanted', async (t) => {
  const h = await CacheHarness.create(t);
  const source = h.addModel('loras', 'style.safetensors', 3 * MB);
  h.service.request([{ category: 'loras', name: 'style.safetensors' }], 'workflow', 'w.json');
  await h.waitForDone('loras/style.safetensors');
  h.events.length = 0;
  fs.writeFileSync(source, Buffer.alloc(2 * MB, 7));
  h.announce('loras', 'style.safetensors');
  await h.waitForEvent((event) => event.event === 'cache.evicted', 'the stale copy removed');
  t.like(
    h.events.find((event) => event.event === 'cache.evicted'),
    { key: 'loras/style.safetensors', bytes: 3 * MB, reason: 'its library file changed' },
  );
  await h.waitForDone('loras/style.safetensors');
  t.true(fs.readFileSync(h.cachePath('loras', 'style.safetensors')).equals(fs.readFileSync(source)));
});

test('when the library file disappears from a reachable folder, the copy goes; an unreachable NAS removes nothing', async (t) => {
  const h = await CacheHarness.create(t);
  const a = h.addModel('loras', 'a.safetensors', MB);
  h.addModel('loras', 'b.safetensors', MB);
  h.service.request(
    [
      { category: 'loras', name: 'a.safetensors' },
      { category: 'loras', name: 'b.safetensors' },
    ],
    'workflow',
    'w.json',
  );
  await h.waitForDone('loras/a.safetensors');
  await h.waitForDone('loras/b.safetensors');
  fs.rmSync(a);
  h.announce('loras', 'a.safetensors');
  await h.waitForEvent((event) => event.event === 'cache.evicted' && event.key === 'loras/a.safetensors', 'a removed');
  t.false(fs.existsSync(h.cachePath('loras', 'a.safetensors')));

  // The NAS goes away: the folder is unreachable, so nothing proves b stale.
  h.reachable = false;
  h.catalog.setAvailable(
    h.folders.find((folder) => folder.category === 'loras')!,
    false,
  );
  await h.service.stop();
  await h.start();
  t.true(fs.existsSync(h.cachePath('loras', 'b.safetensors')));
  t.deepEqual(
    h.service.list().map((entry) => entry.key),
    ['loras/b.safetensors'],
  );
});

test('pin keeps the pin across re-copies, pinning an absent model copies it, unpin and evict work, bad keys are E_PATH', async (t) => {
  const h = await CacheHarness.create(t);
  h.addModel('checkpoints', 'x.safetensors', 2 * MB);
  t.like(h.service.pin('checkpoints/x.safetensors'), { status: 'queued' });
  await h.waitForDone('checkpoints/x.safetensors');
  t.true(h.service.list()[0]!.pinned);
  t.like(h.service.unpin('checkpoints/x.safetensors'), { pinned: false });
  t.false(h.service.list()[0]!.pinned);
  t.deepEqual(await h.service.evict('checkpoints/x.safetensors'), { key: 'checkpoints/x.safetensors', bytes: 2 * MB });
  t.false(fs.existsSync(h.cachePath('checkpoints', 'x.safetensors')));
  t.true(fs.existsSync(path.join(h.nas, 'checkpoints', 'x.safetensors')), 'the library file is never touched');
  t.is(h.service.stats().evictions, 1);
  for (const bad of ['../etc/passwd', '/etc/passwd', 'loras/../../x']) {
    const error = t.throws(() => h.service.pin(bad), { instanceOf: ArenaError });
    t.is(error.code, 'E_PATH', bad);
  }
  await t.throwsAsync(h.service.evict('loras/never.safetensors'), { message: 'loras/never.safetensors is neither cached nor queued' });
});

test('a run counts a hit for models cached before it started and a miss for the others, then queues the misses', async (t) => {
  const h = await CacheHarness.create(t);
  h.addModel('checkpoints', 'base.safetensors', 2 * MB);
  h.addModel('loras', 'new.safetensors', MB);
  h.service.request([{ category: 'checkpoints', name: 'base.safetensors' }], 'workflow', 'w');
  await h.waitForDone('checkpoints/base.safetensors');
  const result = h.service.recordRun(
    [
      { category: 'checkpoints', name: 'base.safetensors' },
      { category: 'loras', name: 'new.safetensors' },
    ],
    Date.now(),
    'output/ComfyUI_0001.png',
  );
  t.deepEqual(result, { hits: 1, misses: 1 });
  t.like(h.service.stats(), { hits: 1, misses: 1, hitRatio: 0.5 });
  await h.waitForDone('loras/new.safetensors');
  const base = h.service.list().find((entry) => entry.key === 'checkpoints/base.safetensors')!;
  t.is(base.hits, 1);
  t.not(base.lastUsed, null);
  // A copy that landed after the run started does not make that run a hit.
  t.deepEqual(h.service.recordRun([{ category: 'loras', name: 'new.safetensors' }], Date.now() - 60_000, 'older run'), { hits: 0, misses: 1 });
});

test('stopping keeps unfinished jobs, and a restart completes them with nothing partial left', async (t) => {
  const h = await CacheHarness.create(t, { concurrency: 1 });
  h.addModel('checkpoints', 'big.safetensors', 256 * MB);
  h.addModel('loras', 'later.safetensors', 2 * MB);
  h.service.request(
    [
      { category: 'checkpoints', name: 'big.safetensors' },
      { category: 'loras', name: 'later.safetensors' },
    ],
    'workflow',
    'w',
  );
  await h.waitForEvent((event) => event.event === 'prefetch.started', 'the first copy started');
  await h.service.stop();
  t.deepEqual(fs.readdirSync(path.join(h.cacheRoot, '.arena', 'staging')), []);
  const saved = JSON.parse(fs.readFileSync(path.join(h.stateDir, 'prefetch-queue.json'), 'utf8')) as { jobs: Array<{ key: string }> };
  t.true(saved.jobs.length >= 1);
  await h.start();
  await h.waitForDone('checkpoints/big.safetensors');
  await h.waitForDone('loras/later.safetensors');
  t.true(fs.readFileSync(h.cachePath('checkpoints', 'big.safetensors')).equals(fs.readFileSync(path.join(h.nas, 'checkpoints', 'big.safetensors'))));
});

test('a cached file deleted by hand is noticed and leaves the ledger', async (t) => {
  const h = await CacheHarness.create(t);
  h.addModel('loras', 'a.safetensors', MB);
  h.service.request([{ category: 'loras', name: 'a.safetensors' }], 'workflow', 'w');
  await h.waitForDone('loras/a.safetensors');
  fs.rmSync(h.cachePath('loras', 'a.safetensors'));
  await h.waitForEvent(
    (event) => event.event === 'cache.evicted' && event.reason === 'the cached file was deleted outside the daemon',
    'the removal noticed',
  );
  t.deepEqual(h.service.list(), []);
});

test('the summary line shows use, quota and the queue', async (t) => {
  const h = await CacheHarness.create(t, { maxBytes: 64e9 });
  t.is(h.service.summary(), 'cache 0 B / 64.0 GB · idle');
});

test('trim --dry-run lists what would go and why, least valuable first, and removes nothing', async (t) => {
  const h = await CacheHarness.create(t);
  for (const name of ['a', 'b', 'c']) h.addModel('loras', `${name}.safetensors`, 2 * MB);
  h.service.request([{ category: 'loras', name: 'a.safetensors' }], 'warm', 'history');
  h.service.request([{ category: 'loras', name: 'b.safetensors' }], 'urgent', 'prompt 1 queued');
  h.service.request([{ category: 'loras', name: 'c.safetensors' }], 'workflow', 'workflow w.json saved');
  for (const name of ['a', 'b', 'c']) await h.waitForDone(`loras/${name}.safetensors`);
  const dry = await h.service.trim({ dryRun: true, toBytes: 2 * MB });
  t.true(dry.dryRun);
  t.deepEqual(
    dry.evicted.map((entry) => entry.name),
    ['a.safetensors', 'c.safetensors'],
  );
  t.regex(dry.evicted[0]!.reason, /^least value per byte of SSD among the rest \(wanted by history, .*\)$/);
  t.is(dry.freedBytes, 4 * MB);
  t.is(h.service.list().length, 3, 'a dry run removes nothing');
  const real = await h.service.trim({ toBytes: 2 * MB });
  t.deepEqual(
    real.evicted.map((entry) => entry.name),
    ['a.safetensors', 'c.safetensors'],
  );
  t.deepEqual(
    h.service.list().map((entry) => entry.key),
    ['loras/b.safetensors'],
  );
  t.false(fs.existsSync(h.cachePath('loras', 'a.safetensors')));
});

test('trim never removes a pinned model', async (t) => {
  const h = await CacheHarness.create(t);
  h.addModel('checkpoints', 'keep.safetensors', 4 * MB);
  h.addModel('loras', 'go.safetensors', MB);
  h.service.pin('checkpoints/keep.safetensors');
  h.service.request([{ category: 'loras', name: 'go.safetensors' }], 'urgent', 'x');
  await h.waitForDone('checkpoints/keep.safetensors');
  await h.waitForDone('loras/go.safetensors');
  const result = await h.service.trim({ toBytes: 0 });
  t.deepEqual(
    result.evicted.map((entry) => entry.name),
    ['go.safetensors'],
  );
  t.deepEqual(
    h.service.list().map((entry) => [entry.key, entry.reason]),
    [['checkpoints/keep.safetensors', 'pinned']],
  );
});

test.serial('the scheduled trim runs on its cron schedule and brings the cache to the low-water mark', async (t) => {
  // Every timer of the service lives on this clock, which also moves with real time so that file work proceeds.
  const clock = sinon.useFakeTimers({
    now: new Date('2026-11-21T03:00:00Z'),
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    shouldAdvanceTime: true,
  });
  t.teardown(() => clock.restore());
  const h = await CacheHarness.create(t, { maxBytes: 10 * MB, lowWater: 0.5, trimSchedule: '30 3 * * *' });
  h.addModel('loras', 'a.safetensors', 3 * MB);
  h.addModel('loras', 'b.safetensors', 3 * MB);
  h.service.request([{ category: 'loras', name: 'a.safetensors' }], 'warm', 'history');
  h.service.request([{ category: 'loras', name: 'b.safetensors' }], 'urgent', 'prompt 1 queued');
  await h.waitForDone('loras/a.safetensors');
  await h.waitForDone('loras/b.safetensors');
  t.is(h.service.stats().cache.bytes, 6 * MB, 'under the quota: no threshold trim');
  t.is(h.service.list().length, 2, 'nothing before 03:30');
  await clock.tickAsync(31 * 60_000);
  await eventually(() => h.service.list().length === 1, 10_000, 'the scheduled trim');
  t.deepEqual(
    h.service.list().map((entry) => entry.key),
    ['loras/b.safetensors'],
  );
  t.true(h.service.stats().cache.bytes <= 5 * MB);
});

test('when idle, history warms up the models of the workflow that usually runs next, at the lowest priority', async (t) => {
  const h = await CacheHarness.create(t);
  h.addModel('checkpoints', 'sdxl.safetensors', MB);
  h.addModel('vae', 'upscale-vae.safetensors', 2 * MB);
  const now = Date.now();
  const runs = [];
  for (let day = 10; day >= 1; day -= 1) {
    runs.push({ at: now - day * 86_400_000 - 3_600_000, keys: ['checkpoints/sdxl.safetensors'] });
    runs.push({ at: now - day * 86_400_000 - 1_800_000, keys: ['vae/upscale-vae.safetensors'] });
  }
  runs.push({ at: now - 10 * 60_000, keys: ['checkpoints/sdxl.safetensors'] });
  h.service.loadRuns(runs);
  const queued = await h.waitForEvent(
    (event) => event.event === 'prefetch.queued' && event.key === 'vae/upscale-vae.safetensors',
    'the warm-up queued',
  );
  t.like(queued, { key: 'vae/upscale-vae.safetensors', priority: 'warm' });
  t.regex((queued as { origin: string }).origin, /^history: vae\/upscale-vae\.safetensors usually runs about now$/);
  await h.waitForDone('vae/upscale-vae.safetensors');
});
