import type { PrefetchPriority } from '../../core/admission.js';
import { socketCommand } from '../command-registry.js';
import type { PrefetchOutcome } from '../contract/cache.js';
import { checkModelName } from '../model-name.js';

type Models = ReadonlyArray<{ category: string; name: string }>;

/** Queues models for the SSD; arenactl parses workflow files itself and sends their models. */
export function prefetchCommand(
  request: (models: Models, priority: PrefetchPriority, origin: string, wantMissing: boolean) => Promise<readonly PrefetchOutcome[]>,
) {
  return socketCommand('prefetch', async ({ models, priority, origin, wantMissing }) => {
    for (const model of models) checkModelName(model.category, model.name);
    return { outcomes: await request(models, priority, origin, wantMissing) };
  });
}
