/**
 * The prefetch jobs, one per model key, in the order they should run. A
 * second request for a model that is already queued or copying only raises
 * its priority. Pure and in memory, so that the daemon (which also persists
 * it, in src/cache) and the simulator queue work exactly alike.
 */
import { priorityRank, type PrefetchPriority } from './admission.js';

export interface PrefetchJobOf<Active> {
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
  /** The running copy, while there is one. */
  active?: Active;
}

export interface JobRequest {
  readonly key: string;
  readonly category: string;
  readonly name: string;
  readonly priority: PrefetchPriority;
  readonly origin: string;
  readonly pin?: boolean;
}

export class PrefetchJobs<Active> {
  readonly #jobs = new Map<string, PrefetchJobOf<Active>>();
  #seq = 0;

  /** Adds a job, or merges the request into the one already there. */
  add(request: JobRequest, now: number): { job: PrefetchJobOf<Active>; added: boolean } {
    const existing = this.#jobs.get(request.key);
    if (existing) {
      if (priorityRank(request.priority) < priorityRank(existing.priority)) {
        existing.priority = request.priority;
        existing.origin = request.origin;
      }
      existing.pin ||= request.pin === true;
      return { job: existing, added: false };
    }
    const job: PrefetchJobOf<Active> = {
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

  get(key: string): PrefetchJobOf<Active> | undefined {
    return this.#jobs.get(key);
  }

  remove(key: string): boolean {
    return this.#jobs.delete(key);
  }

  get size(): number {
    return this.#jobs.size;
  }

  all(): Array<PrefetchJobOf<Active>> {
    return [...this.#jobs.values()];
  }

  active(): Array<PrefetchJobOf<Active>> {
    return this.all().filter((job) => job.active !== undefined);
  }

  /** Jobs not running, in the order they should run: priority, then arrival. */
  pending(): Array<PrefetchJobOf<Active>> {
    return this.all()
      .filter((job) => job.active === undefined)
      .sort((a, b) => priorityRank(a.priority) - priorityRank(b.priority) || a.seq - b.seq);
  }
}
