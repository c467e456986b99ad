/** The main model categories: a run's workflow is known by its base model. */
const BASE_CATEGORIES = new Set(['checkpoints', 'diffusion_models', 'unet_gguf']);

/**
 * A workflow identity for the usage model: the run's base models (its
 * checkpoint or diffusion model), else all its models. Two runs of the same
 * workflow with a different LoRA are the same workflow. The daemon names its
 * runs so, and an exported trace names its events so.
 */
export function workflowOf(keys: readonly string[]): string {
  const base = keys.filter((key) => BASE_CATEGORIES.has(key.slice(0, key.indexOf('/'))));
  return [...(base.length > 0 ? base : keys)].sort().join('+');
}
