/**
 * What the past says about each model: how often and how recently it was
 * used (with decay, so last month counts less than this week), which models
 * are used together, which workflow tends to follow which, and at what hour
 * of the week each workflow runs. Fed the same way by the daemon (from its
 * usage history) and by the simulator (from a trace), so both decide alike.
 */

/** A frequency counted a week ago weighs half as much as one counted now. */
export const FREQUENCY_HALF_LIFE_MS = 7 * 24 * 3600_000;
/**
 * What follows the last workflow is a habit within a session; hours after
 * the last run it says less (the next session starts with whatever the
 * hour of the week suggests), so its weight halves every two hours.
 * Replayed traces showed why: without the fade, the warm-up copied the
 * usual successor of the evening's last workflow at 4 a.m., every night.
 */
export const FOLLOW_HALF_LIFE_MS = 2 * 3600_000;
const HOURS_PER_WEEK = 168;

export interface UsageRunInput {
  readonly at: number;
  /** What ran: a workflow identity (the trace's workflow id, or a hash of the run's models). */
  readonly workflow: string;
  readonly keys: readonly string[];
}

interface KeyStats {
  /** Decayed use count, valid at `countedAt`. */
  decayed: number;
  countedAt: number;
  lastUsed: number;
  uses: number;
  /** Times of the most recent uses, oldest first (bounded), for counts such as "14× this week". */
  recent: number[];
}

const RECENT_USES_KEPT = 512;

function decay(value: number, fromMs: number, toMs: number, halfLifeMs: number): number {
  return toMs <= fromMs ? value : value * 2 ** (-(toMs - fromMs) / halfLifeMs);
}

/** Hour of the week (0..167, from Sunday 00:00 UTC) of a time. */
export function hourOfWeek(at: number): number {
  return Math.floor(at / 3600_000 + 4 * 24) % HOURS_PER_WEEK;
}

export class UsageModel {
  readonly #keys = new Map<string, KeyStats>();
  /** key → key → decayed count of runs that used both. */
  readonly #together = new Map<string, Map<string, number>>();
  /** workflow → next workflow → count. */
  readonly #next = new Map<string, Map<string, number>>();
  /** workflow → its models, as last seen. */
  readonly #workflowKeys = new Map<string, readonly string[]>();
  /** workflow → runs per hour of the week. */
  readonly #hours = new Map<string, number[]>();
  #lastWorkflow?: string;
  #lastRunAt?: number;

  record(run: UsageRunInput): void {
    const keys = [...new Set(run.keys)];
    for (const key of keys) {
      const stats = this.#keys.get(key);
      if (stats === undefined) {
        this.#keys.set(key, { decayed: 1, countedAt: run.at, lastUsed: run.at, uses: 1, recent: [run.at] });
      } else {
        stats.decayed = decay(stats.decayed, stats.countedAt, run.at, FREQUENCY_HALF_LIFE_MS) + 1;
        stats.countedAt = Math.max(stats.countedAt, run.at);
        stats.lastUsed = Math.max(stats.lastUsed, run.at);
        stats.uses += 1;
        stats.recent.push(run.at);
        if (stats.recent.length > RECENT_USES_KEPT) stats.recent.shift();
      }
    }
    for (const a of keys) {
      let row = this.#together.get(a);
      if (row === undefined) this.#together.set(a, (row = new Map<string, number>()));
      for (const b of keys) if (a !== b) row.set(b, (row.get(b) ?? 0) + 1);
    }
    const previous = this.#lastWorkflow;
    if (previous !== undefined && previous !== run.workflow) {
      let row = this.#next.get(previous);
      if (row === undefined) this.#next.set(previous, (row = new Map<string, number>()));
      row.set(run.workflow, (row.get(run.workflow) ?? 0) + 1);
    }
    // A session's later runs swap one LoRA; the workflow's full model list is the union seen.
    const known = this.#workflowKeys.get(run.workflow) ?? [];
    this.#workflowKeys.set(run.workflow, [...new Set([...known, ...keys])]);
    let hours = this.#hours.get(run.workflow);
    if (hours === undefined) this.#hours.set(run.workflow, (hours = new Array<number>(HOURS_PER_WEEK).fill(0)));
    hours[hourOfWeek(run.at)]! += 1;
    this.#lastWorkflow = run.workflow;
    this.#lastRunAt = Math.max(this.#lastRunAt ?? run.at, run.at);
  }

  /** Decayed count of runs that used the key, as of `now`. */
  frequency(key: string, now: number): number {
    const stats = this.#keys.get(key);
    return stats === undefined ? 0 : decay(stats.decayed, stats.countedAt, now, FREQUENCY_HALF_LIFE_MS);
  }

  lastUsed(key: string): number | undefined {
    return this.#keys.get(key)?.lastUsed;
  }

  uses(key: string): number {
    return this.#keys.get(key)?.uses ?? 0;
  }

  /** Uses at or after `since` (exact for the most recent uses kept). */
  usesSince(key: string, since: number): number {
    return this.#keys.get(key)?.recent.filter((at) => at >= since).length ?? 0;
  }

  /** The share of `of`'s runs that also used `key` (0..1). */
  togetherShare(key: string, of: string): number {
    const runs = this.#keys.get(of)?.uses ?? 0;
    if (runs === 0) return 0;
    return (this.#together.get(of)?.get(key) ?? 0) / runs;
  }

  get lastWorkflow(): string | undefined {
    return this.#lastWorkflow;
  }

  get lastRunAt(): number | undefined {
    return this.#lastRunAt;
  }

  workflowKeys(workflow: string): readonly string[] {
    return this.#workflowKeys.get(workflow) ?? [];
  }

  /**
   * How likely each workflow is to run next, from what followed the last one
   * (fading with the time since the last run) and from how often each ran at
   * this hour of the week: scores that sum to at most 1 over the workflows
   * returned, best first.
   */
  likelyNextWorkflows(now: number, limit = 3): Array<{ workflow: string; score: number }> {
    const scores = new Map<string, number>();
    const add = (workflow: string, score: number) => scores.set(workflow, (scores.get(workflow) ?? 0) + score);
    const following = this.#lastWorkflow === undefined ? undefined : this.#next.get(this.#lastWorkflow);
    if (following !== undefined) {
      const total = [...following.values()].reduce((sum, count) => sum + count, 0);
      const fade = 2 ** (-Math.max(0, now - (this.#lastRunAt ?? now)) / FOLLOW_HALF_LIFE_MS);
      for (const [workflow, count] of following) add(workflow, (0.5 * count * fade) / total);
    }
    const hour = hourOfWeek(now);
    let hourTotal = 0;
    const atHour = new Map<string, number>();
    for (const [workflow, hours] of this.#hours) {
      // This hour and the next two: sessions start around the same time, not on the minute.
      const count = (hours[hour] ?? 0) + (hours[(hour + 1) % HOURS_PER_WEEK] ?? 0) + (hours[(hour + 2) % HOURS_PER_WEEK] ?? 0);
      if (count > 0) atHour.set(workflow, count);
      hourTotal += count;
    }
    for (const [workflow, count] of atHour) add(workflow, (0.5 * count) / hourTotal);
    return [...scores]
      .map(([workflow, score]) => ({ workflow, score }))
      .sort((a, b) => b.score - a.score || a.workflow.localeCompare(b.workflow))
      .slice(0, limit);
  }
}
