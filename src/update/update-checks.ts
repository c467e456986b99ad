/**
 * Checks: each entry compared with its hub, announced as `update.checked`,
 * and the updates found kept as pending (announced once per version as
 * `update.available`) until installed or no longer newer.
 */
import { ArenaError, messageOf } from '../core/arena-error.js';
import type { Logger } from '../log/logger.js';
import { inspectEntry, type Inspection } from './inspect-entry.js';
import { describeSource, type ManifestEntry } from './manifest.js';
import type { UpdateContext } from './update-context.js';
import type { PendingUpdate, UpdateEntryResult, UpdatesStatus } from '../control/contract/update.js';
import type { UpdateEvent } from '../control/contract/events.js';

export interface UpdateChecksOptions {
  /** The updater's steps' shared parts; throws E_STARTING until the updater has started. */
  readonly context: () => UpdateContext;
  readonly logger: Logger;
  readonly emit: (event: UpdateEvent) => void;
  readonly now: () => number;
}

/** What an entry's result says of a failure: an ArenaError's code and message, or E_INTERNAL. */
export function failureOf(error: unknown): { code: string; message: string } {
  return error instanceof ArenaError
    ? { code: error.code, message: error.message }
    : { code: 'E_INTERNAL', message: `internal error: ${messageOf(error)}` };
}

/** An entry's result from its check: what the library has, what the hub offers. */
export function inspectedResult(inspection: Inspection, status: UpdateEntryResult['status'] = inspection.status): UpdateEntryResult {
  const { entry, remote } = inspection;
  return {
    target: entry.target,
    status,
    source: describeSource(entry.source),
    path: inspection.located.path,
    local: inspection.local,
    remote: { sha256: remote.sha256, bytes: remote.bytes, version: remote.version, label: remote.label },
    ...(inspection.held ? { held: true } : {}),
  };
}

export class UpdateChecks {
  readonly #options: UpdateChecksOptions;
  readonly #pending = new Map<string, PendingUpdate>();
  #lastCheck: UpdatesStatus['lastCheck'] = null;

  constructor(options: UpdateChecksOptions) {
    this.#options = options;
  }

  get lastCheck(): UpdatesStatus['lastCheck'] {
    return this.#lastCheck;
  }

  pending(): PendingUpdate[] {
    return [...this.#pending.values()];
  }

  /** The update of `target` is installed or rolled back: no longer pending. */
  forget(target: string): void {
    this.#pending.delete(target);
  }

  /**
   * Checks each entry in turn; a failure is that entry's result, and the
   * others are still checked. `malformed` are the error results of the
   * manifest's broken entries among those asked for: they count as errors.
   */
  async checkAll(entries: readonly ManifestEntry[], malformed: readonly UpdateEntryResult[], signal: AbortSignal): Promise<UpdateEntryResult[]> {
    const results = [...malformed];
    let available = 0;
    let errors = malformed.length;
    for (const entry of entries) {
      try {
        const inspection = await this.inspect(entry, signal);
        this.note(inspection);
        if (inspection.status === 'available') available += 1;
        results.push(inspectedResult(inspection));
      } catch (error) {
        errors += 1;
        this.#options.logger.warn('update check failed', { target: entry.target, err: messageOf(error) });
        results.push({ target: entry.target, status: 'error', error: failureOf(error), source: describeSource(entry.source) });
      }
    }
    this.#lastCheck = { at: new Date(this.#options.now()).toISOString(), available, errors };
    return results;
  }

  /**
   * One comparison of an entry with its hub, announced for /metrics. A check
   * cut short by a stop or a closing window is neither a success nor a
   * failure of the hub, so it is not announced.
   */
  async inspect(entry: ManifestEntry, signal: AbortSignal): Promise<Inspection> {
    try {
      const inspection = await inspectEntry(this.#options.context(), entry, signal);
      this.#options.emit({ event: 'update.checked', target: entry.target, result: 'ok' });
      return inspection;
    } catch (error) {
      if (!signal.aborted) this.#options.emit({ event: 'update.checked', target: entry.target, result: 'error' });
      throw error;
    }
  }

  /** Keeps an available update as pending, announcing a version not seen before; drops one now up to date. */
  note(inspection: Inspection): void {
    const { target } = inspection.entry;
    if (inspection.status === 'up-to-date') {
      this.#pending.delete(target);
      return;
    }
    const known = this.#pending.get(target);
    this.#pending.set(target, { target, bytes: inspection.remote.bytes, version: inspection.remote.label, held: inspection.held });
    if (known?.version !== inspection.remote.label) {
      this.#options.logger.info('update available', {
        target,
        version: inspection.remote.label,
        bytes: inspection.remote.bytes,
        held: inspection.held,
      });
      this.#options.emit({ event: 'update.available', target, bytes: inspection.remote.bytes, version: inspection.remote.label });
    }
  }
}
