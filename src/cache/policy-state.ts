import type { PrefetchPriority } from '../core/admission.js';
import type { ValueContext } from '../core/policy/entry-value.js';
import { Predictions } from '../core/policy/predictions.js';
import { UsageModel } from '../core/policy/usage-model.js';

/** The main model categories: a run's workflow is known by its base model. */
const BASE_CATEGORIES = new Set(['checkpoints', 'diffusion_models', 'unet_gguf']);

/**
 * A workflow identity for the usage model: the run's base models (its
 * checkpoint or diffusion model), else all its models. Two runs of the same
 * workflow with a different LoRA are the same workflow.
 */
export function workflowOf(keys: readonly string[]): string {
  const base = keys.filter((key) => BASE_CATEGORIES.has(key.slice(0, key.indexOf('/'))));
  return [...(base.length > 0 ? base : keys)].sort().join('+');
}

/** The daemon's live inputs to the core policy: what ran, and what is predicted. */
export class PolicyState {
  readonly usage = new UsageModel();
  readonly predictions = new Predictions();

  context(now: number): ValueContext {
    return { now, usage: this.usage, predictions: this.predictions };
  }

  recordRun(keys: readonly string[], at: number): void {
    if (keys.length > 0) this.usage.record({ at, workflow: workflowOf(keys), keys });
  }

  predict(keys: readonly string[], priority: PrefetchPriority, origin: string, at: number): void {
    if (keys.length > 0) this.predictions.add({ keys, at, priority, origin });
  }
}
