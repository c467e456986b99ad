import { messageOf } from '../core/arena-error.js';
import type { CacheContext } from './cache-context.js';
import type { FreeSpace } from './free-space.js';

/**
 * The free space of the cache filesystem, read again before each decision
 * that depends on it, and the problem a full filesystem raises: it stays in
 * status until as much is free again as the failed copy needed, and then the
 * copies that failed for space may try again at once.
 */
export class SpaceWatch {
  readonly #context: CacheContext;
  readonly #read: (dir: string) => Promise<FreeSpace>;
  readonly #onProblemsChanged: () => void;
  readonly #problems = new Map<string, string>();
  /** After ENOSPC: the bytes the failed copy needed. */
  #noSpaceNeed?: number;

  constructor(context: CacheContext, read: (dir: string) => Promise<FreeSpace>, onProblemsChanged: () => void) {
    this.#context = context;
    this.#read = read;
    this.#onProblemsChanged = onProblemsChanged;
  }

  problems(): string[] {
    return [...this.#problems.values()];
  }

  /** Reads the free space into the context; an unreadable filesystem keeps the last reading. */
  async refresh(): Promise<void> {
    const context = this.#context;
    try {
      context.space = await this.#read(context.tree.root);
    } catch (error) {
      context.logger.warn('cannot read the free space of the cache filesystem', { root: context.tree.root, err: messageOf(error) });
    }
    if (this.#noSpaceNeed !== undefined && context.space.freeBytes >= context.minFreeBytes() + this.#noSpaceNeed) {
      this.#noSpaceNeed = undefined;
      this.#setProblem('no-space');
      // The copies that failed for space may try again at once.
      for (const job of context.queue.pending()) job.notBefore = 0;
    }
  }

  /** A copy of `key` needing `bytes` found the filesystem full. */
  ranOut(key: string, bytes: number): void {
    this.#setProblem('no-space', `the cache filesystem is full: copying ${key} failed; free space on it, or lower cache.maxBytes`);
    this.#noSpaceNeed = Math.min(this.#noSpaceNeed ?? Infinity, bytes);
  }

  #setProblem(id: string, message?: string): void {
    const changed = message === undefined ? this.#problems.delete(id) : this.#problems.get(id) !== message;
    if (message !== undefined) this.#problems.set(id, message);
    if (changed) this.#onProblemsChanged();
  }
}
