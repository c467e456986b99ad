import { readFile } from 'node:fs/promises';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';
import { PRIORITIES, priorityRank, type PrefetchPriority } from '../core/admission.js';
import type { CatalogEntry } from '../core/catalog-view.js';
import type { Logger } from '../log/logger.js';

/** A copy that is running: what it copies, and how far it got. */
export interface ActiveCopy {
  readonly controller: AbortController;
  readonly source: CatalogEntry;
  readonly startedAt: number;
  copiedBytes: number;
  /** Why it was aborted, when the service aborted it (invalidated, evicted, stopping). */
  abortReason?: 'invalidated' | 'evicted' | 'stopping';
}

export interface PrefetchJob {
  readonly key: string;
  readonly category: string;
  readonly name: string;
  priority: PrefetchPriority;
  /** What asked for it, for logs and explanations: a workflow file, a prompt id, a command. */
  origin: string;
  /** Arrival order, for first-come-first-served within a priority. */
  readonly seq: number;
  readonly requestedAt: number;
  attempts: number;
  /** Retry back-off: the job is not started before this time (epoch ms). */
  notBefore: number;
  /** Set while the job cannot start, saying why (no room, root unreachable). */
  waiting?: string;
  /** Pin the entry once the copy lands (`arenactl pin` of a model not yet cached). */
  pin: boolean;
  active?: ActiveCopy;
}

export interface JobRequest {
  readonly key: string;
  readonly category: string;
  readonly name: string;
  readonly priority: PrefetchPriority;
  readonly origin: string;
  readonly pin?: boolean;
}

const persistedJob = z.object({
  key: z.string().min(1),
  category: z.string().min(1),
  name: z.string().min(1),
  priority: z.enum(PRIORITIES),
  origin: z.string(),
  requestedAt: z.number(),
  pin: z.boolean(),
});
const persistedQueue = z.object({ version: z.literal(1), jobs: z.array(persistedJob) });

/**
 * The prefetch jobs, one per model key: a second request for a model that is
 * already queued or copying only raises its priority. Persisted, so that what
 * was wanted before a crash or a restart is still copied after it.
 */
export class PrefetchQueue {
  readonly #jobs = new Map<string, PrefetchJob>();
  #seq = 0;

  /** Adds a job, or merges the request into the one already there. */
  add(request: JobRequest, now: number): { job: PrefetchJob; added: boolean } {
    const existing = this.#jobs.get(request.key);
    if (existing) {
      if (priorityRank(request.priority) < priorityRank(existing.priority)) {
        existing.priority = request.priority;
        existing.origin = request.origin;
      }
      existing.pin ||= request.pin === true;
      return { job: existing, added: false };
    }
    const job: PrefetchJob = {
      key: request.key,
      category: request.category,
      name: request.name,
      priority: request.priority,
      origin: request.origin,
      seq: this.#seq++,
      requestedAt: now,
      attempts: 0,
      notBefore: 0,
      pin: request.pin === true,
    };
    this.#jobs.set(job.key, job);
    return { job, added: true };
  }

  get(key: string): PrefetchJob | undefined {
    return this.#jobs.get(key);
  }

  remove(key: string): boolean {
    return this.#jobs.delete(key);
  }

  all(): PrefetchJob[] {
    return [...this.#jobs.values()];
  }

  active(): PrefetchJob[] {
    return this.all().filter((job) => job.active !== undefined);
  }

  /** Jobs not running, in the order they should run: priority, then arrival. */
  pending(): PrefetchJob[] {
    return this.all()
      .filter((job) => job.active === undefined)
      .sort((a, b) => priorityRank(a.priority) - priorityRank(b.priority) || a.seq - b.seq);
  }

  async save(file: string): Promise<void> {
    const jobs = this.all().map(({ key, category, name, priority, origin, requestedAt, pin }) => ({
      key,
      category,
      name,
      priority,
      origin,
      requestedAt,
      pin,
    }));
    await writeFileAtomic(file, `${JSON.stringify({ version: 1, jobs })}\n`, { fsync: true });
  }

  /** Restores saved jobs; a missing or unreadable file means an empty queue (never a failed start). */
  static async load(file: string, logger: Logger): Promise<PrefetchQueue> {
    const queue = new PrefetchQueue();
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      return queue;
    }
    try {
      const parsed = persistedQueue.parse(JSON.parse(text));
      for (const job of parsed.jobs) queue.add(job, job.requestedAt);
    } catch (error) {
      logger.warn('the saved prefetch queue is unreadable; starting with an empty queue', { file, err: String(error) });
    }
    return queue;
  }
}
