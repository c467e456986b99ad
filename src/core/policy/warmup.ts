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
