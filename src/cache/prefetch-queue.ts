import { readFile } from 'node:fs/promises';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';
import { PRIORITIES } from '../core/admission.js';
import type { CatalogEntry } from '../core/catalog-view.js';
import { PrefetchJobs, type PrefetchJobOf } from '../core/prefetch-jobs.js';
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

/** A job of the daemon's queue: its running copy is a real one, with a controller to abort it. */
export type PrefetchJob = PrefetchJobOf<ActiveCopy>;

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
 * The daemon's prefetch jobs (core's PrefetchJobs, shared with the
 * simulator), persisted, so that what was wanted before a crash or a
 * restart is still copied after it.
 */
export class PrefetchQueue extends PrefetchJobs<ActiveCopy> {
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
      // No saved queue (the first start, or nothing was ever queued): an empty one.
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
