import { z } from 'zod';
import type { CommandDefinition } from '../command-registry.js';

export interface TrimArgs {
  dryRun: boolean;
  toBytes?: number | undefined;
}

/** Trims the cache now: to `toBytes`, or to the low-water mark; dryRun only lists. */
export function trimCommand(trim: (args: TrimArgs) => Promise<unknown>): CommandDefinition<TrimArgs> {
  return {
    name: 'trim',
    summary: 'Remove the least valuable models from the SSD now (or, with dryRun, list them), down to toBytes or the low-water mark.',
    args: z.object({ dryRun: z.boolean().default(false), toBytes: z.number().int().nonnegative().optional() }).strict(),
    run: (args) => trim(args),
  };
}
