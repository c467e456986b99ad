import { Counter, Histogram, type Registry } from 'prom-client';
import { parseModelKey } from '../core/categories.js';
import { KNOWN_CATEGORY_LABELS, type CategoryLabels } from './category-labels.js';
import type { BusEvent } from './metrics-sources.js';

/**
 * Why a copy left the SSD, as a fixed set of label values. The cache names
 * the cause of each removal; anything it does not name is `other`, never the
 * free-text reason, which holds model names.
 */
export const EVICTION_REASONS = ['trim', 'room', 'source_changed', 'source_removed', 'manual', 'update', 'deleted_outside', 'other'] as const;
export type EvictionReasonLabel = (typeof EVICTION_REASONS)[number];

/** `copied`; `retried`: the attempt failed and the job stays queued; `failed`: the job was given up. */
export const JOB_RESULTS = ['copied', 'retried', 'failed'] as const;

/** `ok`: the hub answered and the entry is up to date or has an update; `error`: the check failed. */
const CHECK_RESULTS = ['ok', 'error'] as const;

/** Copies of models take from under a second (a LoRA from a local disk) to many minutes (a 24 GB checkpoint over Wi-Fi). */
const COPY_SECONDS_BUCKETS = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 3600];

/** The topics whose events feed the counters. */
export const COUNTED_TOPICS = ['cache', 'prefetch', 'update'] as const;

/**
 * The counters fed by the daemon's events: hits and misses by category,
 * prefetch results and bytes, copy durations, evictions by reason, and the
 * updater's checks, installs, failures and rollbacks. They count from the
 * daemon's start, as Prometheus counters do; `arenactl stats` keeps lifetime
 * totals.
 */
export function eventMetrics(registry: Registry, categories: CategoryLabels): (event: BusEvent) => void {
  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Counter<L>({ name, help, labelNames, registers });

  const hits = counter('arena_cache_hits_total', 'Models a generation used that were on the SSD before it started, by category.', ['category']);
  const misses = counter('arena_cache_misses_total', 'Models a generation used that were not on the SSD when it started, by category.', ['category']);
  const evictions = counter('arena_cache_evictions_total', 'Cached copies removed, by reason class.', ['reason']);
  const jobs = counter(
    'arena_prefetch_jobs_total',
    'Prefetch copy attempts by result: copied, retried (failed, tried again later) or failed (given up).',
    ['result'],
  );
  const copiedBytes = counter('arena_prefetch_copied_bytes_total', 'Bytes of completed, verified copies to the SSD.');
  const copySeconds = new Histogram({
    name: 'arena_prefetch_copy_duration_seconds',
    help: 'How long each completed copy to the SSD took, verification included.',
    buckets: COPY_SECONDS_BUCKETS,
    registers,
  });
  const checks = counter(
    'arena_update_checks_total',
    'Checks of one tracked model against its hub (update check, or before a run installs), by result: ok or error.',
    ['result'],
  );
  const installs = counter('arena_update_installs_total', 'Model updates installed.');
  const failures = counter('arena_update_failures_total', 'Model updates that failed (check, download, verification or swap).');
  const rollbacks = counter('arena_update_rollbacks_total', 'Models rolled back to a kept version.');

  // Known label values start at 0, so that rate() sees the first increment of each.
  for (const category of KNOWN_CATEGORY_LABELS) {
    hits.inc({ category }, 0);
    misses.inc({ category }, 0);
  }
  for (const reason of EVICTION_REASONS) evictions.inc({ reason }, 0);
  for (const result of JOB_RESULTS) jobs.inc({ result }, 0);
  for (const result of CHECK_RESULTS) checks.inc({ result }, 0);

  const countKeys = (tally: Counter<'category'>, keys: unknown) => {
    if (!Array.isArray(keys)) return;
    for (const key of keys) {
      const category = typeof key === 'string' ? parseModelKey(key)?.category : undefined;
      if (category !== undefined) tally.inc({ category: categories.labelOf(category) });
    }
  };

  return (event) => {
    switch (event.event) {
      case 'cache.run':
        countKeys(hits, event.hits);
        countKeys(misses, event.misses);
        break;
      case 'cache.evicted':
        evictions.inc({ reason: evictionReason(event.cause) });
        break;
      case 'prefetch.done':
        jobs.inc({ result: 'copied' });
        if (isCount(event.bytes)) copiedBytes.inc(event.bytes);
        if (isCount(event.durationMs)) copySeconds.observe(event.durationMs / 1000);
        break;
      case 'prefetch.failed':
        jobs.inc({ result: event.retry === true ? 'retried' : 'failed' });
        break;
      case 'update.checked':
        checks.inc({ result: event.result === 'ok' ? 'ok' : 'error' });
        break;
      case 'update.installed':
        installs.inc();
        break;
      case 'update.failed':
        failures.inc();
        break;
      case 'update.rolledback':
        rollbacks.inc();
        break;
    }
  };
}

function evictionReason(cause: unknown): EvictionReasonLabel {
  return (EVICTION_REASONS as readonly unknown[]).includes(cause) ? (cause as EvictionReasonLabel) : 'other';
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
