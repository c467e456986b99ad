/**
 * Runs: each entry checked again and, when a newer version is available,
 * installed (install-update.ts), one run per target at a time. A run cut
 * short by a closing window or a stop pauses its download; a failure is
 * that entry's result, announced as `update.failed`, and the others still
 * run. After a full run, partial downloads that nothing wants any more are
 * removed.
 */
import { messageOf } from '../core/arena-error.js';
import type { Logger } from '../log/logger.js';
import type { DownloadTracker } from './download-tracker.js';
import { PausedError } from './errors.js';
import type { Inspection } from './inspect-entry.js';
import { installUpdate } from './install-update.js';
import { locateTarget } from './locate-target.js';
import { describeSource, type ManifestEntry } from './manifest.js';
import type { Sleep } from './sleep.js';
import { pruneStaging } from './staging.js';
import { failureOf, inspectedResult, type UpdateChecks } from './update-checks.js';
import type { UpdateContext } from './update-context.js';
import type { UpdateEntryResult } from '../control/contract/update.js';
import type { UpdateEvent } from '../control/contract/events.js';
import type { UpdateSettings } from './update-settings.js';

export type Trigger = 'window' | 'manual';

export interface UpdateRunsOptions {
  /** The updater's steps' shared parts; throws E_STARTING until the updater has started. */
  readonly context: () => UpdateContext;
  readonly checks: UpdateChecks;
  readonly downloads: DownloadTracker;
  /** The settings now: a reload may change the pace between runs. */
  readonly settings: () => UpdateSettings;
  readonly sleep: Sleep;
  readonly logger: Logger;
  readonly emit: (event: UpdateEvent) => void;
  /** Aborted when the updater stops: running downloads pause. */
  readonly stopped: AbortSignal;
}

export interface RunRequest {
  readonly trigger: Trigger;
  /** Targets were named: versions held back by a rollback are installed too, and staging is left as it is. */
  readonly explicit: boolean;
  /** Aborted when the window that started the run closes. */
  readonly signal?: AbortSignal;
}

export class UpdateRuns {
  readonly #options: UpdateRunsOptions;
  readonly #inFlight = new Map<string, Promise<UpdateEntryResult>>();
  #installed = 0;
  #failed = 0;

  constructor(options: UpdateRunsOptions) {
    this.#options = options;
  }

  get running(): boolean {
    return this.#inFlight.size > 0;
  }

  /** Updates installed since the updater started. */
  get installed(): number {
    return this.#installed;
  }

  /** Updates that failed since the updater started. */
  get failed(): number {
    return this.#failed;
  }

  /** Resolves when every running entry has ended (paused, for a stop). */
  async settled(): Promise<void> {
    await Promise.allSettled(this.#inFlight.values());
  }

  /** Resolves when the run of `target`, if one is under way, has ended. */
  async finished(target: string): Promise<void> {
    // A run's failure is its own result, reported to whoever started it; here only its end matters.
    await this.#inFlight.get(target)?.catch(() => undefined);
  }

  /** Runs the entries in turn, after `results` (the malformed ones'); stops early when the window closes. */
  async runAll(entries: readonly ManifestEntry[], results: readonly UpdateEntryResult[], request: RunRequest): Promise<UpdateEntryResult[]> {
    const done = [...results];
    for (const entry of entries) {
      if (request.signal?.aborted) break;
      done.push(await this.#once(entry, request));
    }
    if (!request.explicit && !request.signal?.aborted) await this.#pruneStaging(entries, done);
    return done;
  }

  /** One entry at a time: a second run of the same target waits for the first's answer. */
  #once(entry: ManifestEntry, request: RunRequest): Promise<UpdateEntryResult> {
    const running = this.#inFlight.get(entry.target);
    if (running !== undefined) return running;
    const work = this.#apply(entry, request).finally(() => this.#inFlight.delete(entry.target));
    this.#inFlight.set(entry.target, work);
    return work;
  }

  async #apply(entry: ManifestEntry, request: RunRequest): Promise<UpdateEntryResult> {
    const { checks, downloads, logger, emit, stopped } = this.#options;
    const signal = request.signal ? AbortSignal.any([stopped, request.signal]) : stopped;
    let inspection: Inspection | undefined;
    try {
      inspection = await checks.inspect(entry, signal);
      checks.note(inspection);
      if (inspection.status === 'up-to-date') return inspectedResult(inspection);
      if (inspection.held && !request.explicit) {
        logger.info('update held back by a rollback; name the target to install it anyway', {
          target: entry.target,
          version: inspection.remote.label,
        });
        return inspectedResult(inspection);
      }
      const inspected = inspection;
      const settings = this.#options.settings();
      const outcome = await installUpdate(this.#options.context(), inspected, {
        signal,
        trigger: request.trigger,
        sleep: this.#options.sleep,
        pace: { windowMs: settings.stallTimeout * 1000, minBytesPerSecond: settings.minRate },
        onStart: (resumeFrom) => downloads.started(inspected, resumeFrom),
        onProgress: (bytesDone) => downloads.progress(entry.target, bytesDone),
      });
      downloads.forget(entry.target);
      checks.forget(entry.target);
      if (outcome.status === 'up-to-date') return { ...inspectedResult(inspected, 'up-to-date'), local: outcome.from };
      this.#installed += 1;
      emit({
        event: 'update.installed',
        target: entry.target,
        from: outcome.from?.sha256 ?? null,
        to: inspected.remote.sha256,
        version: inspected.remote.label,
      });
      return { ...inspectedResult(inspected, 'updated'), path: outcome.path, ...(outcome.keptAs === undefined ? {} : { keptAs: outcome.keptAs }) };
    } catch (error) {
      if (signal.aborted) return this.#stopped(entry, inspection, error);
      downloads.forget(entry.target);
      this.#failed += 1;
      const failure = failureOf(error);
      logger.warn('update failed', { target: entry.target, code: failure.code, err: failure.message });
      emit({ event: 'update.failed', target: entry.target, ...failure });
      return {
        ...(inspection ? inspectedResult(inspection) : { target: entry.target, source: describeSource(entry.source) }),
        status: 'error',
        error: failure,
      };
    }
  }

  /** The result of an entry whose window closed (or whose updater stopped) under it: a paused download, or a check to run again. */
  #stopped(entry: ManifestEntry, inspection: Inspection | undefined, error: unknown): UpdateEntryResult {
    if (inspection === undefined) {
      return {
        target: entry.target,
        status: 'error',
        source: describeSource(entry.source),
        error: { code: 'E_PAUSED', message: `the check of ${entry.target} stopped with its update window; it runs again in the next one` },
      };
    }
    const bytesDone = error instanceof PausedError ? error.bytesDone : this.#options.downloads.bytesDone(entry.target);
    this.#options.downloads.paused(inspection, bytesDone);
    return { ...inspectedResult(inspection), status: 'available', paused: { bytesDone, bytes: inspection.remote.bytes } };
  }

  /**
   * After a full run: partials that no entry wants any more go (an entry
   * now up to date, a version superseded, a target no longer tracked); those
   * of entries whose check failed stay for the next run.
   */
  async #pruneStaging(entries: readonly ManifestEntry[], results: readonly UpdateEntryResult[]): Promise<void> {
    const { library } = this.#options.context();
    const { logger } = this.#options;
    const outcome = new Map(results.map((result) => [result.target, result]));
    const arenaDirs = new Set<string>();
    for (const entry of entries) {
      // A target with no library folder has no staging to tidy.
      const located = await locateTarget(library, entry).catch(() => undefined);
      if (located !== undefined) arenaDirs.add(located.arenaDir);
    }
    for (const arenaDir of arenaDirs) {
      const removed = await pruneStaging(arenaDir, (partial) => {
        if (this.#inFlight.has(partial.target)) return true;
        const result = outcome.get(partial.target);
        if (result === undefined) return false;
        if (result.status === 'error') return true;
        return result.status === 'available' && result.remote?.sha256 === partial.sha256;
      }).catch((error: unknown) => {
        logger.warn('cannot tidy the download staging folder', { dir: arenaDir, err: messageOf(error) });
        return 0;
      });
      if (removed > 0) logger.info('removed partial downloads no entry wants', { dir: arenaDir, files: removed });
    }
  }
}
