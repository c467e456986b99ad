/**
 * What each download is doing, for status, the daemon's summary line and
 * the `update.started`, `update.progress` and `update.paused` events:
 * running (with its rate) or paused (with the bytes that resume next time,
 * found in staging after a restart).
 */
import type { Logger } from '../log/logger.js';
import type { Inspection } from './inspect-entry.js';
import { locateTarget, type UpdateLibrary } from './locate-target.js';
import type { ManifestEntry } from './manifest.js';
import { listStaged } from './staging.js';
import type { DownloadState } from '../control/contract/update.js';
import type { UpdateEvent } from '../control/contract/events.js';

interface Progress extends DownloadState {
  readonly startedAt: number;
  readonly resumeFrom: number;
  readonly lastEmitAt: number;
}

/** At most one `update.progress` a second per download, and one at its last byte. */
const PROGRESS_INTERVAL_MS = 1000;

function percentOf(done: number, total: number): number {
  return total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 0;
}

export class DownloadTracker {
  readonly #downloads = new Map<string, Progress>();
  readonly #now: () => number;
  readonly #logger: Logger;
  readonly #emit: (event: UpdateEvent) => void;

  /** `now` is the updater's clock, for when a pause happened; rates are measured on the real one. */
  constructor(now: () => number, logger: Logger, emit: (event: UpdateEvent) => void) {
    this.#now = now;
    this.#logger = logger;
    this.#emit = emit;
  }

  /** Each download, as status shows it. */
  list(): DownloadState[] {
    return [...this.#downloads.values()].map(({ target, state, bytesDone, bytes, percent, version }) => ({
      target,
      state,
      bytesDone,
      bytes,
      percent,
      version,
    }));
  }

  /** The download running now, if any. */
  active(): DownloadState | undefined {
    return [...this.#downloads.values()].find((download) => download.state === 'downloading');
  }

  bytesDone(target: string): number {
    return this.#downloads.get(target)?.bytesDone ?? 0;
  }

  /** The download ended, installed or failed: status no longer shows it. */
  forget(target: string): void {
    this.#downloads.delete(target);
  }

  started(inspection: Inspection, resumeFrom: number): void {
    const { target } = inspection.entry;
    const bytes = inspection.remote.bytes;
    const now = Date.now();
    this.#downloads.set(target, {
      target,
      state: 'downloading',
      bytesDone: resumeFrom,
      bytes,
      percent: percentOf(resumeFrom, bytes),
      version: inspection.remote.label,
      startedAt: now,
      resumeFrom,
      lastEmitAt: now,
    });
    this.#emit({ event: 'update.started', target, bytes, resumeFrom, version: inspection.remote.label });
  }

  progress(target: string, bytesDone: number): void {
    const download = this.#downloads.get(target);
    if (download === undefined) return;
    const now = Date.now();
    const percent = percentOf(bytesDone, download.bytes);
    const due = now - download.lastEmitAt >= PROGRESS_INTERVAL_MS || bytesDone >= download.bytes;
    this.#downloads.set(target, { ...download, bytesDone, percent, lastEmitAt: due ? now : download.lastEmitAt });
    if (!due) return;
    const seconds = (now - download.startedAt) / 1000;
    this.#emit({
      event: 'update.progress',
      target,
      bytesDone,
      bytes: download.bytes,
      percent,
      bytesPerSecond: seconds > 0 ? Math.round((bytesDone - download.resumeFrom) / seconds) : 0,
    });
  }

  paused(inspection: Inspection, bytesDone: number): void {
    const { target } = inspection.entry;
    const bytes = inspection.remote.bytes;
    this.#setPaused(target, bytesDone, bytes, inspection.remote.label);
    this.#logger.info('download paused; it resumes in the next window or run', { target, bytesDone, bytes });
    this.#emit({ event: 'update.paused', target, bytesDone, bytes });
  }

  /** Paused downloads left by an earlier run of the daemon, so that status shows them before the next window. */
  async findPaused(library: UpdateLibrary, entries: readonly ManifestEntry[]): Promise<void> {
    for (const entry of entries) {
      // A target with no library folder has no staging either: nothing to find.
      const located = await locateTarget(library, entry).catch(() => undefined);
      if (located === undefined) continue;
      for (const partial of await listStaged(located.arenaDir)) {
        if (partial.target === entry.target) this.#setPaused(entry.target, partial.bytesDone, partial.bytes, partial.label);
      }
    }
  }

  #setPaused(target: string, bytesDone: number, bytes: number, version: string): void {
    this.#downloads.set(target, {
      target,
      state: 'paused',
      bytesDone,
      bytes,
      percent: percentOf(bytesDone, bytes),
      version,
      startedAt: this.#now(),
      resumeFrom: bytesDone,
      lastEmitAt: 0,
    });
  }
}
