import type { UsageModel } from './usage-model.js';

/**
 * What history suggests copying while nothing else is wanted, in the spirit
 * of the Linux `preload` daemon: the models of the workflows likely to run
 * next (what usually follows the last one, what usually runs at this hour of
 * the week), not yet cached. The caller requests them at `warm` priority, so
 * they pass the same admission control as everything else.
 */
export interface WarmupCandidate {
  readonly key: string;
  readonly workflow: string;
  readonly score: number;
}

/** A workflow must be at least this likely to be worth warming up. */
export const MIN_WARMUP_SCORE = 0.2;

export function warmupCandidates(usage: UsageModel, now: number, isCached: (key: string) => boolean, limit = 3): WarmupCandidate[] {
  const candidates: WarmupCandidate[] = [];
  const seen = new Set<string>();
  for (const { workflow, score } of usage.likelyNextWorkflows(now, limit)) {
    if (score < MIN_WARMUP_SCORE) continue;
    for (const key of usage.workflowKeys(workflow)) {
      if (seen.has(key) || isCached(key)) continue;
      seen.add(key);
      candidates.push({ key, workflow, score });
    }
  }
  return candidates;
}

/** Warm-ups are looked for at most this often. */
export const WARMUP_EVERY_MS = 10 * 60_000;
/** A run this recent means ComfyUI may still be generating: a copy would compete with it for the disk. */
export const COMFY_BUSY_MS = 2 * 60_000;

export interface WarmupClock {
  /** Jobs queued or copying: a warm-up waits for an idle copier. */
  readonly queuedJobs: number;
  /** When the last warm-up asked for something (0: never). */
  readonly lastWarmup: number;
  readonly lastRunAt: number | undefined;
}

/** Whether it is time to look for warm-ups: the copier idle, none in the last minutes, no generation just now. */
export function warmupDue(now: number, clock: WarmupClock): boolean {
  if (clock.queuedJobs > 0) return false;
  if (now - clock.lastWarmup < WARMUP_EVERY_MS) return false;
  return clock.lastRunAt === undefined || now - clock.lastRunAt >= COMFY_BUSY_MS;
}

/** The candidates as one request per workflow, each with the origin that `ls` shows. */
export function warmupRequests(candidates: readonly WarmupCandidate[]): Array<{ workflow: string; keys: string[]; origin: string }> {
  const byWorkflow = new Map<string, string[]>();
  for (const candidate of candidates) byWorkflow.set(candidate.workflow, [...(byWorkflow.get(candidate.workflow) ?? []), candidate.key]);
  return [...byWorkflow].map(([workflow, keys]) => ({ workflow, keys, origin: `history: ${workflow} usually runs about now` }));
}
