import test from 'ava';
import sinon from 'sinon';
import type { EvictionCause } from '../../src/cache/cache-events.js';
import { EventBus } from '../../src/control/event-bus.js';
import { silentLogger, type Logger } from '../../src/log/logger.js';
import { ArenaMetrics, EVICTION_REASONS } from '../../src/metrics/index.js';
import type { CacheView, DaemonView, MetricsSources, UpdatesView } from '../../src/metrics/index.js';
import { metricFamilies, parseExposition, sampleSum, sampleValue } from '../helpers/prometheus-text.js';

interface World {
  daemon: DaemonView;
  cache?: CacheView;
  updates?: UpdatesView;
  catalog?: Array<{ category: string; available: boolean }>;
}

function daemonView(overrides: Partial<DaemonView> = {}): DaemonView {
  return {
    state: 'ready',
    problems: [],
    comfy: { reachable: true },
    library: { folders: [], roots: [], bytes: 0, unavailableModels: 0 },
    ...overrides,
  };
}

function cacheView(): CacheView {
  return {
    cache: { enabled: true, bytes: 7_000, files: 3, maxBytes: 64_000, freeBytes: 500_000, totalBytes: 1_000_000, minFreeBytes: 50_000 },
    prefetch: { queued: 4, active: 2, concurrency: 2 },
  };
}

/** Metrics over a world the test changes between scrapes, fed by a real EventBus. */
function build(world: World, options: { cap?: number; logger?: Logger } = {}) {
  const bus = new EventBus();
  const sources: MetricsSources = {
    version: '9.8.7',
    events: bus,
    daemon: () => world.daemon,
    cache: () => world.cache,
    updates: () => world.updates,
    catalog: () => (world.catalog === undefined ? undefined : { entries: () => world.catalog! }),
  };
  const metrics = new ArenaMetrics({
    sources,
    logger: options.logger ?? silentLogger,
    ...(options.cap === undefined ? {} : { customCategoryCap: options.cap }),
  });
  const scrape = async () => {
    const { body } = await metrics.scrape();
    return { body, samples: parseExposition(body) };
  };
  return { bus, metrics, scrape };
}

test('a run counts each model as a hit or a miss under its category; legacy aliases count as their category', async (t) => {
  const { bus, scrape } = build({ daemon: daemonView() });
  bus.publish({
    event: 'cache.run',
    origin: 'output image',
    hits: ['checkpoints/sdxl.safetensors', 'loras/a.safetensors'],
    misses: ['loras/b.safetensors'],
  });
  bus.publish({ event: 'cache.run', origin: 'queue', hits: ['clip/t5.safetensors'], misses: ['unet/flux.safetensors', 'loras/c.safetensors'] });
  const { samples } = await scrape();
  t.is(sampleValue(samples, 'arena_cache_hits_total', { category: 'checkpoints' }), 1);
  t.is(sampleValue(samples, 'arena_cache_hits_total', { category: 'loras' }), 1);
  t.is(sampleValue(samples, 'arena_cache_hits_total', { category: 'text_encoders' }), 1);
  t.is(sampleValue(samples, 'arena_cache_misses_total', { category: 'loras' }), 2);
  t.is(sampleValue(samples, 'arena_cache_misses_total', { category: 'diffusion_models' }), 1);
  t.is(sampleSum(samples, 'arena_cache_hits_total'), 3);
  t.is(sampleSum(samples, 'arena_cache_misses_total'), 3);
  t.is(sampleValue(samples, 'arena_cache_hits_total', { category: 'clip' }), undefined, 'no series for an alias');
});

test('known categories, eviction reasons and job results are there at 0 before anything happens', async (t) => {
  const { scrape } = build({ daemon: daemonView() });
  const { samples } = await scrape();
  t.is(sampleValue(samples, 'arena_cache_hits_total', { category: 'vae' }), 0);
  t.is(sampleValue(samples, 'arena_cache_misses_total', { category: 'embeddings' }), 0);
  for (const reason of EVICTION_REASONS) t.is(sampleValue(samples, 'arena_cache_evictions_total', { reason }), 0, reason);
  for (const result of ['copied', 'retried', 'failed']) t.is(sampleValue(samples, 'arena_prefetch_jobs_total', { result }), 0, result);
  for (const result of ['ok', 'error']) t.is(sampleValue(samples, 'arena_update_checks_total', { result }), 0, result);
});

test('custom categories beyond the cap, and odd category names, are counted as other', async (t) => {
  const { bus, scrape } = build({ daemon: daemonView(), catalog: [] }, { cap: 2 });
  bus.publish({
    event: 'cache.run',
    hits: ['my "models"/z.bin', 'ipadapter/a.bin', 'sams/b.pth', 'ultralytics/c.pt', 'instantid/d.bin'],
    misses: ['ipadapter/e.bin'],
  });
  const { samples } = await scrape();
  const categories = new Set(
    samples.filter((sample) => sample.name === 'arena_cache_hits_total' && sample.value > 0).map((sample) => sample.labels.category),
  );
  t.deepEqual([...categories].sort(), ['ipadapter', 'other', 'sams']);
  t.is(sampleValue(samples, 'arena_cache_hits_total', { category: 'other' }), 3, 'the odd name took no slot');
  t.is(sampleValue(samples, 'arena_cache_misses_total', { category: 'ipadapter' }), 1, 'a category keeps the label it got first');
});

test('the catalog is counted by category at each scrape, and a category that empties disappears', async (t) => {
  const world: World = {
    daemon: daemonView(),
    catalog: [
      { category: 'checkpoints', available: true },
      { category: 'checkpoints', available: false },
      { category: 'loras', available: true },
    ],
  };
  const { scrape } = build(world);
  let { samples } = await scrape();
  t.is(sampleValue(samples, 'arena_library_models', { category: 'checkpoints' }), 2);
  t.is(sampleValue(samples, 'arena_library_models', { category: 'loras' }), 1);
  world.catalog = [{ category: 'vae', available: true }];
  ({ samples } = await scrape());
  t.is(sampleValue(samples, 'arena_library_models', { category: 'checkpoints' }), undefined);
  t.is(sampleValue(samples, 'arena_library_models', { category: 'vae' }), 1);
});

test('no label carries a model name or path, whatever the events and sources hold', async (t) => {
  const { bus, scrape } = build({ daemon: daemonView(), catalog: [{ category: 'checkpoints', available: true }], cache: cacheView() });
  const secret = 'private-client-model';
  bus.publish({ event: 'cache.run', hits: [`checkpoints/${secret}.safetensors`], misses: [`loras/${secret}.safetensors`] });
  bus.publish({ event: 'cache.evicted', key: `loras/${secret}.safetensors`, bytes: 1, reason: `made room for ${secret}`, cause: 'room' });
  bus.publish({
    event: 'prefetch.failed',
    key: `vae/${secret}.safetensors`,
    code: 'E_VERIFY',
    message: `copy of /nas/${secret} failed`,
    retry: false,
  });
  bus.publish({ event: 'update.failed', target: `checkpoints/${secret}.safetensors`, code: 'E_HUB', message: secret });
  const { body, samples } = await scrape();
  t.false(body.includes(secret));
  const labelNames = new Set(samples.flatMap((sample) => Object.keys(sample.labels)));
  for (const name of labelNames) t.false(['name', 'key', 'path', 'model', 'target'].includes(name), `label ${name}`);
});

test('evictions are counted by the cause the cache names; an unnamed or unknown cause is other', async (t) => {
  const { bus, scrape } = build({ daemon: daemonView() });
  for (const cause of ['trim', 'trim', 'room', 'source_changed', 'source_removed', 'manual', 'update', 'deleted_outside']) {
    bus.publish({ event: 'cache.evicted', key: 'loras/a.safetensors', bytes: 1, reason: 'free text', cause });
  }
  bus.publish({ event: 'cache.evicted', key: 'loras/a.safetensors', bytes: 1, reason: 'no cause at all' });
  bus.publish({ event: 'cache.evicted', key: 'loras/a.safetensors', bytes: 1, reason: 'x', cause: 'Made Room For loras/x' });
  const { samples } = await scrape();
  t.is(sampleValue(samples, 'arena_cache_evictions_total', { reason: 'trim' }), 2);
  for (const reason of ['room', 'source_changed', 'source_removed', 'manual', 'update', 'deleted_outside']) {
    t.is(sampleValue(samples, 'arena_cache_evictions_total', { reason }), 1, reason);
  }
  t.is(sampleValue(samples, 'arena_cache_evictions_total', { reason: 'other' }), 2);
  t.is(samples.filter((sample) => sample.name === 'arena_cache_evictions_total').length, EVICTION_REASONS.length);
});

/** Every cause the cache can name; the Record type fails to compile when the cache adds one this list lacks. */
const CACHE_CAUSES: Record<EvictionCause, true> = {
  trim: true,
  room: true,
  source_changed: true,
  source_removed: true,
  manual: true,
  update: true,
  deleted_outside: true,
};

test('every eviction cause the cache names has a reason label of its own', (t) => {
  for (const cause of Object.keys(CACHE_CAUSES)) t.true((EVICTION_REASONS as readonly string[]).includes(cause), cause);
});

test('copies count their result, their bytes and their duration in the histogram', async (t) => {
  const { bus, scrape } = build({ daemon: daemonView() });
  bus.publish({ event: 'prefetch.done', key: 'checkpoints/a.safetensors', bytes: 6_000_000_000, durationMs: 12_500, bytesPerSecond: 480_000_000 });
  bus.publish({ event: 'prefetch.done', key: 'loras/b.safetensors', bytes: 150_000_000, durationMs: 400, bytesPerSecond: 375_000_000 });
  bus.publish({ event: 'prefetch.failed', key: 'loras/c.safetensors', code: 'E_SOURCE_CHANGED', message: 'x', retry: true });
  bus.publish({ event: 'prefetch.failed', key: 'loras/c.safetensors', code: 'E_SOURCE_CHANGED', message: 'x', retry: false });
  bus.publish({ event: 'prefetch.progress', key: 'loras/d.safetensors', bytesCopied: 5, bytes: 10, percent: 50, bytesPerSecond: 1, etaSeconds: 5 });
  const { samples } = await scrape();
  t.is(sampleValue(samples, 'arena_prefetch_jobs_total', { result: 'copied' }), 2);
  t.is(sampleValue(samples, 'arena_prefetch_jobs_total', { result: 'retried' }), 1);
  t.is(sampleValue(samples, 'arena_prefetch_jobs_total', { result: 'failed' }), 1);
  t.is(sampleValue(samples, 'arena_prefetch_copied_bytes_total'), 6_150_000_000);
  t.is(sampleValue(samples, 'arena_prefetch_copy_duration_seconds_count'), 2);
  t.is(sampleValue(samples, 'arena_prefetch_copy_duration_seconds_sum'), 12.9);
  t.is(sampleValue(samples, 'arena_prefetch_copy_duration_seconds_bucket', { le: '0.5' }), 1);
  t.is(sampleValue(samples, 'arena_prefetch_copy_duration_seconds_bucket', { le: '10' }), 1);
  t.is(sampleValue(samples, 'arena_prefetch_copy_duration_seconds_bucket', { le: '30' }), 2);
});

test("the updater's checks, installs, failures and rollbacks are counted; progress events are not", async (t) => {
  const { bus, scrape } = build({ daemon: daemonView() });
  bus.publish({ event: 'update.checked', target: 'checkpoints/a.safetensors', result: 'ok' });
  bus.publish({ event: 'update.checked', target: 'loras/b.safetensors', result: 'ok' });
  bus.publish({ event: 'update.checked', target: 'loras/c.safetensors', result: 'error' });
  bus.publish({ event: 'update.installed', target: 'checkpoints/a.safetensors', from: null, to: 'ab', version: 'v2' });
  bus.publish({ event: 'update.installed', target: 'loras/b.safetensors', from: 'cd', to: 'ef', version: 'v3' });
  bus.publish({ event: 'update.failed', target: 'loras/b.safetensors', code: 'E_HUB', message: 'x' });
  bus.publish({ event: 'update.rolledback', target: 'loras/b.safetensors', from: 'ef', to: 'cd' });
  bus.publish({ event: 'update.progress', target: 'loras/b.safetensors', bytesDone: 1, bytes: 2, percent: 50, bytesPerSecond: 1 });
  const { samples } = await scrape();
  t.is(sampleValue(samples, 'arena_update_checks_total', { result: 'ok' }), 2);
  t.is(sampleValue(samples, 'arena_update_checks_total', { result: 'error' }), 1);
  t.is(sampleValue(samples, 'arena_update_installs_total'), 2);
  t.is(sampleValue(samples, 'arena_update_failures_total'), 1);
  t.is(sampleValue(samples, 'arena_update_rollbacks_total'), 1);
});

test('gauges show what the services report at the moment of the scrape', async (t) => {
  const world: World = {
    daemon: daemonView({
      state: 'degraded',
      problems: ['model root /nas is missing', 'metrics port in use'],
      comfy: { reachable: false },
      library: {
        folders: [
          { state: 'ok', mode: 'watch' },
          { state: 'ok', mode: 'poll' },
          { state: 'missing', mode: 'poll' },
          { state: 'missing', mode: 'poll' },
        ],
        roots: [
          { name: 'models', state: 'ok' },
          { name: 'library.roots[0]', state: 'missing' },
        ],
        bytes: 123_456,
        unavailableModels: 5,
      },
    }),
    cache: cacheView(),
    updates: { tracked: 3, pending: [{}, {}], lastCheck: { at: '2026-01-02T03:04:05.000Z', errors: 1 } },
  };
  const { scrape } = build(world);
  let { samples } = await scrape();
  t.is(sampleValue(samples, 'arena_daemon_state', { state: 'degraded' }), 1);
  t.is(sampleValue(samples, 'arena_daemon_state', { state: 'ready' }), 0);
  t.is(sampleValue(samples, 'arena_daemon_state', { state: 'starting' }), 0);
  t.is(sampleValue(samples, 'arena_daemon_problems'), 2);
  t.is(sampleValue(samples, 'arena_comfyui_up'), 0);
  t.is(sampleValue(samples, 'arena_library_folders', { mode: 'poll' }), 1, 'missing folders are not counted');
  t.is(sampleValue(samples, 'arena_library_folders', { mode: 'watch' }), 1);
  t.is(sampleValue(samples, 'arena_library_root_up', { root: 'models' }), 1);
  t.is(sampleValue(samples, 'arena_library_root_up', { root: 'library.roots[0]' }), 0);
  t.is(sampleValue(samples, 'arena_library_bytes'), 123_456);
  t.is(sampleValue(samples, 'arena_library_unavailable_models'), 5);
  t.is(sampleValue(samples, 'arena_cache_enabled'), 1);
  t.is(sampleValue(samples, 'arena_cache_bytes'), 7_000);
  t.is(sampleValue(samples, 'arena_cache_files'), 3);
  t.is(sampleValue(samples, 'arena_cache_quota_bytes'), 64_000);
  t.is(sampleValue(samples, 'arena_cache_filesystem_free_bytes'), 500_000);
  t.is(sampleValue(samples, 'arena_cache_filesystem_size_bytes'), 1_000_000);
  t.is(sampleValue(samples, 'arena_cache_filesystem_min_free_bytes'), 50_000);
  t.is(sampleValue(samples, 'arena_prefetch_queue_jobs', { state: 'queued' }), 4);
  t.is(sampleValue(samples, 'arena_prefetch_queue_jobs', { state: 'copying' }), 2);
  t.is(sampleValue(samples, 'arena_prefetch_concurrency'), 2);
  t.is(sampleValue(samples, 'arena_update_tracked_models'), 3);
  t.is(sampleValue(samples, 'arena_update_pending_models'), 2);
  t.is(sampleValue(samples, 'arena_update_last_check_timestamp_seconds'), Date.parse('2026-01-02T03:04:05.000Z') / 1000);
  t.is(sampleValue(samples, 'arena_update_last_check_errors'), 1);

  world.daemon = daemonView({ state: 'ready', comfy: { reachable: true } });
  world.cache = { ...cacheView(), cache: { ...cacheView().cache, bytes: 9_000, files: 4 } };
  ({ samples } = await scrape());
  t.is(sampleValue(samples, 'arena_daemon_state', { state: 'ready' }), 1);
  t.is(sampleValue(samples, 'arena_daemon_state', { state: 'degraded' }), 0);
  t.is(sampleValue(samples, 'arena_comfyui_up'), 1);
  t.is(sampleValue(samples, 'arena_library_root_up', { root: 'library.roots[0]' }), undefined, 'a root no longer configured has no series');
  t.is(sampleValue(samples, 'arena_cache_bytes'), 9_000);
  t.is(sampleValue(samples, 'arena_cache_files'), 4);
});

test('a source that throws leaves the rest of the scrape intact and is logged once', async (t) => {
  const warn = sinon.spy();
  const logger: Logger = { ...silentLogger, warn };
  const world: World = { daemon: daemonView(), cache: cacheView() };
  const { scrape } = build(
    {
      get daemon(): DaemonView {
        throw new Error('status exploded');
      },
      get cache() {
        return world.cache;
      },
    },
    { logger },
  );
  await scrape();
  const { samples } = await scrape();
  t.is(sampleValue(samples, 'arena_cache_bytes'), 7_000);
  t.is(sampleValue(samples, 'arena_build_info', { version: '9.8.7' }), 1);
  t.is(warn.callCount, 1);
  t.regex(String(warn.firstCall.args[0]), /daemon status.*status exploded/);
});

test('every metric has the arena_ prefix, counters end in _total, and build info names the version and Node.js', async (t) => {
  const { scrape } = build({ daemon: daemonView(), cache: cacheView(), catalog: [] });
  const { body, samples } = await scrape();
  const families = metricFamilies(body);
  t.true(families.size > 30);
  for (const [name, type] of families) {
    t.true(name.startsWith('arena_'), name);
    if (type === 'counter') t.true(name.endsWith('_total'), name);
    else t.false(name.endsWith('_total'), `${name} is a ${type}`);
  }
  t.true(families.has('arena_process_resident_memory_bytes'), 'the default process metrics are there');
  t.is(sampleValue(samples, 'arena_build_info', { version: '9.8.7', nodejs: process.versions.node }), 1);
});

test('after close, events are no longer counted', async (t) => {
  const { bus, metrics, scrape } = build({ daemon: daemonView() });
  bus.publish({ event: 'update.installed', target: 'a/b', from: null, to: 'x', version: '1' });
  metrics.close();
  bus.publish({ event: 'update.installed', target: 'a/b', from: null, to: 'y', version: '2' });
  t.is(bus.subscriberCount, 0);
  t.is(sampleValue((await scrape()).samples, 'arena_update_installs_total'), 1);
});
