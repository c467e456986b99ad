import path from 'node:path';
import { formatBytes } from '../core/byte-size.js';
import { entryValue } from '../core/policy/entry-value.js';
import type { CacheContext } from './cache-context.js';

/** The copy counters since the start, which the ledger does not keep. */
export interface CopyCounts {
  readonly completed: number;
  readonly failed: number;
}

/** The cached, copying and queued models, for `arenactl ls`, each with its value and the reason it is kept. */
export function cacheListing(context: CacheContext) {
  const { ledger, queue } = context;
  const values = context.policy.context(context.now());
  const cached = ledger.entries().map((entry) => {
    const key = `${entry.category}/${entry.name}`;
    const { value, reason } = entryValue({ key, bytes: entry.size, pinned: entry.pinned }, values);
    return {
      category: entry.category,
      name: entry.name,
      key,
      bytes: entry.size,
      state: 'cached' as const,
      pinned: entry.pinned,
      lastUsed: entry.lastUsed ?? null,
      hits: entry.hits,
      cachedAt: entry.cachedAt,
      // JSON has no Infinity: a pinned entry's value is null, and its reason says "pinned".
      value: Number.isFinite(value) ? Math.round(value * 1000) / 1000 : null,
      reason,
    };
  });
  const jobs = queue.all().map((job) => {
    const source = job.active?.source ?? context.catalog.lookup(job.category, job.name);
    return {
      category: job.category,
      name: job.name,
      key: job.key,
      bytes: source?.size ?? null,
      state: job.active ? ('copying' as const) : ('queued' as const),
      pinned: job.pin,
      lastUsed: null,
      hits: 0,
      priority: job.priority,
      origin: job.origin,
      reason: `${job.priority} prefetch for ${job.origin}`,
      ...(job.active ? { bytesCopied: job.active.copiedBytes } : {}),
      ...(job.waiting ? { waiting: job.waiting } : {}),
    };
  });
  // Work in progress first, then what is kept, most valuable first (pinned, valued null, on top).
  const kept = cached
    .filter((entry) => !queue.get(entry.key))
    .sort((a, b) => (b.value ?? Infinity) - (a.value ?? Infinity) || a.key.localeCompare(b.key));
  return [...jobs, ...kept];
}

/** Hits, misses, cache use and prefetch counters, for `arenactl stats`. */
export function cacheStats(context: CacheContext, copies: CopyCounts) {
  const { ledger, queue, settings, space } = context;
  const totals = ledger.totals;
  const requests = totals.hits + totals.misses;
  const active = queue.active().length;
  return {
    hits: totals.hits,
    misses: totals.misses,
    hitRatio: requests === 0 ? 0 : totals.hits / requests,
    cache: {
      bytes: context.cachedBytes(),
      files: ledger.size,
      maxBytes: settings.maxBytes,
      freeBytes: space.freeBytes,
    },
    prefetch: {
      queued: queue.all().length - active,
      active,
      completed: copies.completed,
      failed: copies.failed,
      bytesCopied: totals.bytesCopied,
    },
    evictions: totals.evictions,
  };
}

/** The cache and prefetch sections of `status`. */
export function cacheStatus(context: CacheContext, copies: CopyCounts) {
  const { queue, settings } = context;
  const stats = cacheStats(context, copies);
  return {
    cache: {
      enabled: settings.enabled,
      root: context.tree.root,
      ...stats.cache,
      totalBytes: context.space.totalBytes,
      minFreeBytes: context.minFreeBytes(),
    },
    prefetch: {
      ...stats.prefetch,
      concurrency: settings.concurrency,
      verify: settings.verify,
      copying: queue.active().map((job) => ({
        key: job.key,
        bytes: job.active!.source.size,
        bytesCopied: job.active!.copiedBytes,
      })),
      waiting: queue
        .pending()
        .filter((job) => job.waiting !== undefined)
        .map((job) => ({ key: job.key, reason: job.waiting! })),
    },
  };
}

/** `cache 41.2 GB / 64.0 GB · copying sdxl.safetensors 43% · 2 queued`: the line systemd shows. */
export function cacheSummary(context: CacheContext): string {
  const { queue, settings } = context;
  const used = context.cachedBytes();
  const parts = [settings.maxBytes > 0 ? `cache ${usage(used, settings.maxBytes)}` : `cache ${formatBytes(used)}`];
  if (!settings.enabled) parts.push('copying off');
  const active = queue.active();
  const first = active[0];
  if (first?.active) {
    const percent = first.active.source.size === 0 ? 100 : Math.floor((first.active.copiedBytes / first.active.source.size) * 100);
    parts.push(`copying ${path.basename(first.name)} ${percent}%${active.length > 1 ? ` +${active.length - 1} more` : ''}`);
  }
  const queued = queue.all().length - active.length;
  if (queued > 0) parts.push(`${queued} queued`);
  if (active.length === 0 && queued === 0) parts.push('idle');
  return parts.join(' · ');
}

/** `22.0 MB / 5.0 GB`: each amount in its own unit, so that a small cache does not read as 0.0. */
function usage(used: number, quota: number): string {
  return `${formatBytes(used)} / ${formatBytes(quota)}`;
}
