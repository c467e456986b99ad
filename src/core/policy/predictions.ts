import type { PrefetchPriority } from '../admission.js';

/**
 * What is predicted to run soon: the models of workflows saved and prompts
 * queued, and the warm-ups history suggests. A prediction fades: a workflow
 * saved three minutes ago is about to run; one saved yesterday maybe not.
 */

/** A prediction loses half its strength in this time, and is forgotten after a day. */
export const PREDICTION_HALF_LIFE_MS = 4 * 3600_000;
export const PREDICTION_MEMORY_MS = 24 * 3600_000;

/** How sure each source is: a queued prompt will run; a warm-up is a guess. */
const SOURCE_WEIGHT: Readonly<Record<PrefetchPriority, number>> = { urgent: 1, workflow: 0.8, warm: 0.3 };

export interface PredictionInput {
  readonly keys: readonly string[];
  readonly at: number;
  readonly priority: PrefetchPriority;
  readonly origin: string;
}

export interface KeyPrediction {
  /** 0..1 */
  readonly strength: number;
  readonly origin: string;
  readonly at: number;
  readonly priority: PrefetchPriority;
}

export class Predictions {
  readonly #byKey = new Map<string, PredictionInput>();

  add(prediction: PredictionInput): void {
    for (const key of prediction.keys) {
      const current = this.#byKey.get(key);
      // Keep whichever is stronger now: the newer one, unless an older one came from a surer source.
      if (current === undefined || strengthOf(prediction, prediction.at) >= strengthOf(current, prediction.at)) {
        this.#byKey.set(key, prediction);
      }
    }
  }

  /** Forgets a key (a model evicted by hand is not wanted). */
  forget(key: string): void {
    this.#byKey.delete(key);
  }

  of(key: string, now: number): KeyPrediction | undefined {
    const prediction = this.#byKey.get(key);
    if (prediction === undefined) return undefined;
    const strength = strengthOf(prediction, now);
    if (strength === 0) {
      this.#byKey.delete(key);
      return undefined;
    }
    return { strength, origin: prediction.origin, at: prediction.at, priority: prediction.priority };
  }

  /** Every key predicted now, with its strength. */
  active(now: number): Array<{ key: string; strength: number }> {
    const result: Array<{ key: string; strength: number }> = [];
    for (const key of [...this.#byKey.keys()]) {
      const prediction = this.of(key, now);
      if (prediction !== undefined) result.push({ key, strength: prediction.strength });
    }
    return result;
  }
}

function strengthOf(prediction: PredictionInput, now: number): number {
  const age = Math.max(0, now - prediction.at);
  if (age >= PREDICTION_MEMORY_MS) return 0;
  return SOURCE_WEIGHT[prediction.priority] * 2 ** (-age / PREDICTION_HALF_LIFE_MS);
}
