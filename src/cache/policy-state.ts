import type { PrefetchPriority } from '../core/admission.js';
import type { ValueContext } from '../core/policy/entry-value.js';
import { Predictions } from '../core/policy/predictions.js';
import { UsageModel } from '../core/policy/usage-model.js';
import { workflowOf } from '../core/policy/workflow-identity.js';

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
