import { Gauge, type Registry } from 'prom-client';
import { messageOf } from '../core/arena-error.js';
import type { Logger } from '../log/logger.js';
import type { CategoryLabels } from './category-labels.js';
import type { MetricsSources } from './metrics-sources.js';

const DAEMON_STATES = ['starting', 'ready', 'degraded'] as const;
const FOLDER_MODES = ['watch', 'poll'] as const;

/**
 * The gauges read from the services at scrape time, so they are never
 * stale and the services keep no metrics state. Returns the refresh to run
 * before each scrape: it reads each source once (status() is not free on a
 * large library) and sets every gauge from it. A source that throws leaves
 * its gauges as they were and is logged once per message; the rest of the
 * scrape still answers.
 */
export function liveMetrics(registry: Registry, sources: MetricsSources, categories: CategoryLabels, logger: Logger): () => void {
  const registers = [registry];
  const reported = new Set<string>();
  const guarded = (what: string, read: () => void) => () => {
    try {
      read();
    } catch (error) {
      const message = `reading ${what} for /metrics failed: ${messageOf(error)}`;
      if (!reported.has(message)) logger.warn(message);
      reported.add(message);
    }
  };
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) => new Gauge<L>({ name, help, labelNames, registers });

  const daemonState = gauge('arena_daemon_state', 'The daemon state: 1 for the current one of starting, ready, degraded.', ['state']);
  const problems = gauge(
    'arena_daemon_problems',
    'Problems the daemon reports in arenactl status (a missing root, a full disk, a port in use, ...).',
  );
  const comfyUp = gauge('arena_comfyui_up', 'Whether ComfyUI answered its last queue poll (0 until the first answer).');
  // Only present folders: a root lacks most default category folders, and that is normal. An unreachable root shows in arena_library_root_up.
  const folders = gauge('arena_library_folders', 'Library category folders present, by how they are followed: watch (inotify) or poll.', ['mode']);
  // One series per root, a handful per box, labelled with where the config names it: no label holds a path.
  const rootUp = gauge(
    'arena_library_root_up',
    'Whether a library root (or a folder extra_model_paths.yaml names on its own) is reachable: 1 or 0.',
    ['root'],
  );
  const libraryBytes = gauge('arena_library_bytes', 'Bytes of the models in the library (each model once, as ComfyUI lists it).');
  const unavailable = gauge(
    'arena_library_unavailable_models',
    'Models kept in the catalog while their root or folder is unreachable (a NAS that went away).',
  );
  const readDaemon = guarded('the daemon status', () => {
    const status = sources.daemon();
    for (const state of DAEMON_STATES) daemonState.set({ state }, status.state === state ? 1 : 0);
    problems.set(status.problems.length);
    comfyUp.set(status.comfy.reachable === true ? 1 : 0);
    for (const mode of FOLDER_MODES)
      folders.set({ mode }, status.library.folders.filter((folder) => folder.state === 'ok' && folder.mode === mode).length);
    // A root dropped by a reload leaves no stale series behind.
    rootUp.reset();
    for (const root of status.library.roots) rootUp.set({ root: root.name }, root.state === 'ok' ? 1 : 0);
    libraryBytes.set(status.library.bytes);
    unavailable.set(status.library.unavailableModels);
  });

  const models = gauge('arena_library_models', 'Models in the library catalog by category (each model once, as ComfyUI lists it).', ['category']);
  const readCatalog = guarded('the catalog', () => {
    const catalog = sources.catalog();
    if (catalog === undefined) return;
    const counts = new Map<string, number>();
    for (const entry of catalog.entries()) {
      const label = categories.labelOf(entry.category);
      counts.set(label, (counts.get(label) ?? 0) + 1);
    }
    models.reset();
    for (const [category, count] of counts) models.set({ category }, count);
  });

  const enabled = gauge('arena_cache_enabled', 'Whether the daemon copies models to the SSD (cache.enable).');
  const cacheBytes = gauge('arena_cache_bytes', 'Bytes of the complete copies on the SSD.');
  const files = gauge('arena_cache_files', 'Complete copies on the SSD.');
  const quota = gauge('arena_cache_quota_bytes', 'The quota of the cache (cache.maxBytes); 0 means no size quota.');
  const free = gauge('arena_cache_filesystem_free_bytes', 'Free bytes on the filesystem that holds the cache.');
  const size = gauge('arena_cache_filesystem_size_bytes', 'Size of the filesystem that holds the cache.');
  const minFree = gauge('arena_cache_filesystem_min_free_bytes', 'Free bytes the daemon keeps on the cache filesystem (cache.minFreeBytes).');
  const queue = gauge('arena_prefetch_queue_jobs', 'Prefetch jobs by state: queued (waiting) and copying.', ['state']);
  const concurrency = gauge('arena_prefetch_concurrency', 'Copies that may run at once (prefetch.concurrency).');
  const readCache = guarded('the cache status', () => {
    const view = sources.cache();
    if (view === undefined) return;
    enabled.set(view.cache.enabled ? 1 : 0);
    cacheBytes.set(view.cache.bytes);
    files.set(view.cache.files);
    quota.set(view.cache.maxBytes);
    free.set(view.cache.freeBytes);
    size.set(view.cache.totalBytes);
    minFree.set(view.cache.minFreeBytes);
    queue.set({ state: 'queued' }, view.prefetch.queued);
    queue.set({ state: 'copying' }, view.prefetch.active);
    concurrency.set(view.prefetch.concurrency);
  });

  const tracked = gauge('arena_update_tracked_models', 'Models the update manifest tracks.');
  const pending = gauge('arena_update_pending_models', 'Tracked models with a newer version not installed yet.');
  const lastCheck = gauge('arena_update_last_check_timestamp_seconds', 'When the last update check finished (Unix time); 0 before the first.');
  const lastErrors = gauge('arena_update_last_check_errors', 'Entries whose last update check failed.');
  const readUpdates = guarded('the updater status', () => {
    const view = sources.updates();
    if (view === undefined) return;
    tracked.set(view.tracked);
    pending.set(view.pending.length);
    const at = view.lastCheck === null ? 0 : Date.parse(view.lastCheck.at) / 1000;
    lastCheck.set(Number.isFinite(at) ? at : 0);
    lastErrors.set(view.lastCheck?.errors ?? 0);
  });

  return () => {
    readDaemon();
    readCatalog();
    readCache();
    readUpdates();
  };
}
