/**
 * Holds back files that are still being written. A large model copied onto
 * the library produces a `create` and then `update` events with no "done";
 * a poll may catch it half-copied. A file counts only once its size and
 * mtime have stayed the same for `settleMs`.
 */
import type { ScannedModel } from './scan.js';

export interface SettlerOptions {
  readonly settleMs: number;
  /** Reads the file again: undefined when it is gone or no longer a model file. */
  readonly restat: (observed: ScannedModel) => Promise<ScannedModel | undefined>;
  /** Receives each file once it has settled. */
  readonly commit: (model: ScannedModel) => void;
  readonly onError: (error: unknown) => void;
}

interface Pending {
  model: ScannedModel;
  timer: NodeJS.Timeout;
}

function pendingKey(model: Pick<ScannedModel, 'category' | 'folder' | 'name'>): string {
  return `${model.category}\u0000${model.folder}\u0000${model.name}`;
}

function sameState(a: ScannedModel, b: ScannedModel): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs;
}

export class Settler {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly options: SettlerOptions) {}

  /** Notes the file as just seen; it is committed after `settleMs` without change. */
  observe(model: ScannedModel): void {
    const key = pendingKey(model);
    const current = this.pending.get(key);
    if (current !== undefined && sameState(current.model, model)) return;
    if (current !== undefined) clearTimeout(current.timer);
    this.pending.set(key, { model, timer: this.schedule(key) });
  }

  /** Drops the pending files that match, e.g. those of a folder that went away. */
  forget(matches: (model: ScannedModel) => boolean): void {
    for (const [key, entry] of this.pending) {
      if (!matches(entry.model)) continue;
      clearTimeout(entry.timer);
      this.pending.delete(key);
    }
  }

  isPending(model: Pick<ScannedModel, 'category' | 'folder' | 'name'>): boolean {
    return this.pending.has(pendingKey(model));
  }

  /** The files waiting to settle, each as last seen. */
  *pendingModels(): IterableIterator<ScannedModel> {
    for (const entry of this.pending.values()) yield entry.model;
  }

  clear(): void {
    this.forget(() => true);
  }

  private schedule(key: string, delayMs = this.options.settleMs): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.check(key).catch((error: unknown) => this.options.onError(error));
    }, delayMs);
    timer.unref();
    return timer;
  }

  /**
   * After a check found the file changed: wait until `settleMs` after its
   * last write (its mtime), not a whole window from now. Without watch
   * events (a poll, a folder created after the watch began) the change may
   * have ended long before this check saw it. At least a quarter window, so
   * that a clock ahead of ours (a NAS) or a copy tool that sets an old mtime
   * cannot make it count at once; at most one window.
   */
  private delayAfterChange(model: ScannedModel): number {
    const { settleMs } = this.options;
    return Math.min(settleMs, Math.max(settleMs / 4, model.mtimeMs + settleMs - Date.now()));
  }

  private async check(key: string): Promise<void> {
    const entry = this.pending.get(key);
    if (entry === undefined) return;
    try {
      const now = await this.options.restat(entry.model);
      // A newer observation (or a forget) arrived while we were reading: it owns the key now.
      if (this.pending.get(key) !== entry) return;
      if (now === undefined) {
        this.pending.delete(key);
      } else if (sameState(now, entry.model)) {
        this.pending.delete(key);
        this.options.commit(now);
      } else {
        entry.model = now;
        entry.timer = this.schedule(key, this.delayAfterChange(now));
      }
    } catch (error) {
      if (this.pending.get(key) === entry) this.pending.delete(key);
      this.options.onError(error);
    }
  }
}
