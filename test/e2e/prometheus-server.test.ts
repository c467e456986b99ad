import test from 'ava';
import { produceRun, startMetricsDaemon } from '../helpers/metrics-daemon.js';
import { startPrometheus, type PrometheusHandle } from '../helpers/prometheus-server.js';
import { eventually } from '../helpers/raw-socket.js';

/** The single value of an instant query, or undefined while it has no result. */
async function scalar(prometheus: PrometheusHandle, expr: string): Promise<number | undefined> {
  const result = await prometheus.query(expr);
  return result.length === 1 ? result[0]!.value : undefined;
}

test('a real Prometheus scrapes the daemon: up is 1 and the hit counter holds what arenactl stats reports', async (t) => {
  const setup = await startMetricsDaemon(t);
  const stats = await produceRun(setup);
  t.like(stats, { hits: 1, misses: 1 });
  const prometheus = await startPrometheus(t, { name: 'arena', target: `127.0.0.1:${setup.metricsPort}` });

  await eventually(
    async () => (await scalar(prometheus, 'up{job="arena"}')) !== undefined,
    30_000,
    () => `a first scrape of the daemon (Prometheus output:\n${prometheus.output()})`,
  );
  t.is(await scalar(prometheus, 'up{job="arena"}'), 1);
  t.is(await scalar(prometheus, 'sum(arena_cache_hits_total{job="arena"})'), stats.hits);
  t.is(await scalar(prometheus, 'sum(arena_cache_misses_total{job="arena"})'), stats.misses);
  t.is(await scalar(prometheus, 'arena_cache_hits_total{job="arena", category="checkpoints"}'), 1);
  const build = await prometheus.query('arena_build_info{job="arena"}');
  t.is(build.length, 1);
  t.is(build[0]!.metric.version, (await setup.daemon.status()).version);
});
