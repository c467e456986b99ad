import { formatDuration } from '../duration.js';
import type { Predictions } from './predictions.js';
import type { UsageModel } from './usage-model.js';

/**
 * The value of keeping a model on the SSD, per byte it takes there, and the
 * reason in words. The lowest value goes first. It weighs what is predicted
 * (a workflow saved or a prompt queued), frequency with decay, recency, use
 * together with what is predicted now, and size in the greedy-dual-size
 * spirit: a miss costs the transfer plus a fixed start-up, so per byte of SSD
 * a small model saves a little more.
 */

export interface ValueContext {
  readonly now: number;
  readonly usage: UsageModel;
  readonly predictions: Predictions;
}

export interface ValuedModel {
  readonly key: string;
  readonly bytes: number;
  readonly pinned?: boolean;
}

export interface EntryValue {
  /** Higher is more worth keeping; Infinity for a pinned model. */
  readonly value: number;
  /** "pinned", "wanted by workflow portrait.json saved, 3m 0s ago", "used 14× this week, 30× in all", ... */
  readonly reason: string;
}

const RECENCY_HALF_LIFE_MS = 24 * 3600_000;
const WEEK_MS = 7 * 24 * 3600_000;
/** The fixed cost of a miss, in bytes of transfer: about a second of model loading. */
const MISS_OVERHEAD_BYTES = 500e6;

const WEIGHTS = { predicted: 4, frequency: 0.5, recency: 1, together: 2 } as const;

export function entryValue(model: ValuedModel, context: ValueContext): EntryValue {
  if (model.pinned) return { value: Infinity, reason: 'pinned' };
  const { now, usage, predictions } = context;
  const prediction = predictions.of(model.key, now);
  const predicted = prediction?.strength ?? 0;
  const frequency = usage.frequency(model.key, now);
  const lastUsed = usage.lastUsed(model.key);
  const recency = lastUsed === undefined ? 0 : 2 ** (-Math.max(0, now - lastUsed) / RECENCY_HALF_LIFE_MS);
  let together = 0;
  let partner: string | undefined;
  for (const { key, strength } of predictions.active(now)) {
    if (key === model.key) continue;
    const share = usage.togetherShare(model.key, key) * strength;
    if (share > together) {
      together = share;
      partner = key;
    }
  }
  const terms = {
    predicted: WEIGHTS.predicted * predicted,
    frequency: WEIGHTS.frequency * frequency,
    recency: WEIGHTS.recency * recency,
    together: WEIGHTS.together * together,
  };
  const expected = terms.predicted + terms.frequency + terms.recency + terms.together;
  const value = expected * (1 + MISS_OVERHEAD_BYTES / Math.max(1, model.bytes));

  const strongest = (Object.keys(terms) as Array<keyof typeof terms>).reduce((a, b) => (terms[b] > terms[a] ? b : a));
  let reason: string;
  if (expected === 0) reason = lastUsed === undefined ? 'never used since it was cached' : `not used for ${formatDuration((now - lastUsed) / 1000)}`;
  else if (strongest === 'predicted' && prediction) reason = `wanted by ${prediction.origin}, ${formatDuration((now - prediction.at) / 1000)} ago`;
  else if (strongest === 'together' && partner) reason = `often used with ${partner}, which is predicted`;
  else if (strongest === 'frequency') reason = `used ${usage.usesSince(model.key, now - WEEK_MS)}× this week, ${usage.uses(model.key)}× in all`;
  else reason = `used ${formatDuration((now - (lastUsed ?? now)) / 1000)} ago`;
  return { value, reason };
}
