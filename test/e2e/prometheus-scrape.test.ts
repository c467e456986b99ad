import fs from 'node:fs';
import net from 'node:net';
import test from 'ava';
import { execa } from 'execa';
import { spawnDaemon } from '../helpers/daemon-process.js';
import { MODEL_NAMES, produceRun, startMetricsDaemon } from '../helpers/metrics-daemon.js';
import { metricFamilies, parseExposition, sampleSum, sampleValue } from '../helpers/prometheus-text.js';
import { tempDir } from '../helpers/temp-dir.js';

const MONITORING_DOC = new URL('../../docs/monitoring.md', import.meta.url);
const DASHBOARD = new URL('../../docs/grafana-dashboard.json', import.meta.url);

test('a real daemon scrape passes promtool check metrics and agrees with arenactl stats', async (t) => {
  const setup = await startMetricsDaemon(t);
  const stats = await produceRun(setup);
  await setup.daemon.request('evict', { key: `checkpoints/${MODEL_NAMES[0]}.safetensors` });
  const text = await setup.scrape();

  const lint = await execa('promtool', ['check', 'metrics'], { input: text, reject: false });
  t.is(lint.exitCode, 0, `promtool check metrics:\n${lint.stdout}\n${lint.stderr}`);
  t.is(`${lint.stdout}${lint.stderr}`.trim(), '', 'no lint findings');

  const samples = parseExposition(text);
  const pathLabels = samples.filter(
    (sample) => sample.name.startsWith('arena_') && Object.values(sample.labels).some((value) => value.includes('/')),
  );
  t.deepEqual(pathLabels, [], 'no arena_ label holds a path (or a model name with a folder)');
  t.is(sampleValue(samples, 'arena_library_root_up', { root: 'library.roots[0]' }), 1);
  t.like(stats, { hits: 1, misses: 1 });
  t.is(sampleSum(samples, 'arena_cache_hits_total'), stats.hits);
  t.is(sampleSum(samples, 'arena_cache_misses_total'), stats.misses);
  t.is(sampleValue(samples, 'arena_cache_hits_total', { category: 'checkpoints' }), 1);
  t.is(sampleValue(samples, 'arena_cache_misses_total', { category: 'loras' }), 1);
  const after = await setup.stats();
  t.is(sampleValue(samples, 'arena_cache_bytes'), after.cache.bytes);
  t.is(sampleValue(samples, 'arena_cache_files'), after.cache.files);
  t.is(sampleValue(samples, 'arena_cache_evictions_total', { reason: 'manual' }), 1);
  t.is(sampleValue(samples, 'arena_prefetch_jobs_total', { result: 'copied' }), 2);
  t.is(sampleValue(samples, 'arena_prefetch_copied_bytes_total'), stats.prefetch.bytesCopied);
  t.is(sampleValue(samples, 'arena_prefetch_copy_duration_seconds_count'), 2);
  t.is(sampleValue(samples, 'arena_library_models', { category: 'checkpoints' }), 1);
  t.is(sampleValue(samples, 'arena_daemon_state', { state: 'ready' }), 1);
  t.is(sampleValue(samples, 'arena_comfyui_up'), 0, 'nothing answers on the ComfyUI URL');
  t.true((sampleValue(samples, 'arena_process_resident_memory_bytes') ?? 0) > 0);
  for (const name of MODEL_NAMES) t.false(text.includes(name), `${name} is not in the metrics`);
});

test('every metric that docs/monitoring.md and the Grafana dashboard use is in a real scrape', async (t) => {
  const setup = await startMetricsDaemon(t);
  const text = await setup.scrape();
  const exposed = new Set([...metricFamilies(text).keys(), ...parseExposition(text).map((sample) => sample.name)]);
  const doc = fs.readFileSync(MONITORING_DOC, 'utf8');
  const dashboard = JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')) as unknown;
  const expressions = dashboardExpressions(dashboard);
  t.true(expressions.length >= 8, 'the dashboard has panels with queries');
  const used = new Set([...metricNames(doc), ...expressions.flatMap(metricNames)]);
  t.true(used.size >= 15);
  for (const name of used) t.true(exposed.has(name), `${name} is used in the docs but the daemon does not expose it`);
});

test('a metrics port in use leaves the daemon running, degraded, with the problem named', async (t) => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
  const port = (blocker.address() as net.AddressInfo).port;
  const daemon = await spawnDaemon(t, { home: await tempDir(t), env: { ARENA_METRICS_LISTEN: `127.0.0.1:${port}`, ARENA_LIBRARY_ROOTS: '' } });
  const status = await daemon.waitForState(
    (current) => current.problems.some((problem) => problem.startsWith('metrics port')),
    'the metrics problem',
  );
  t.is(status.state, 'degraded');
  t.true(
    status.problems.includes(
      `metrics port 127.0.0.1:${port} is in use; set metrics.listen (ARENA_METRICS_LISTEN) to a free HOST:PORT, or off; tried again every 60 s`,
    ),
  );
  t.is((await daemon.request('stats')).hits, 0, 'the daemon still answers');
});

/** Every `expr` of every panel target, nested rows included. */
function dashboardExpressions(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(dashboardExpressions);
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) => (key === 'expr' && typeof value === 'string' ? [value] : dashboardExpressions(value)));
}

function metricNames(text: string): string[] {
  // `arena_process_*` in the docs is a family of names, not a name.
  return [...text.matchAll(/\barena_[a-z0-9_]*[a-z0-9](?![a-z0-9_*])/g)].map((match) => match[0]);
}
