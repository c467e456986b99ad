import { z } from 'zod';
import { PRIORITIES, type PrefetchPriority } from '../../core/admission.js';
import type { CommandDefinition } from '../command-registry.js';
import { checkModelName, modelSchema } from '../model-name.js';

type Models = Array<{ category: string; name: string }>;

export interface PrefetchArgs {
  models: Models;
  priority: PrefetchPriority;
  origin: string;
  /** A workflow's models: those not in the library yet are wanted until they arrive. */
  wantMissing: boolean;
}

/** Queues models for the SSD; arenactl parses workflow files itself and sends their models. */
export function prefetchCommand(
  request: (models: Models, priority: PrefetchPriority, origin: string, wantMissing: boolean) => Promise<unknown[]>,
): CommandDefinition<PrefetchArgs> {
  return {
    name: 'prefetch',
    summary:
      'Copy models to the SSD now; each model gets an outcome (queued, copying, cached, wanted until its file lands, skipped with the reason).',
    args: z
      .object({
        models: z.array(modelSchema).min(1).max(10_000),
        priority: z.enum(PRIORITIES).default('urgent'),
        origin: z.string().max(1024).default('arenactl prefetch'),
        wantMissing: z.boolean().default(false),
      })
      .strict(),
    async run({ models, priority, origin, wantMissing }) {
      for (const model of models) checkModelName(model.category, model.name);
      return { outcomes: await request(models, priority, origin, wantMissing) };
    },
  };
}
