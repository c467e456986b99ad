import { z } from 'zod';
import type { CommandDefinition } from '../command-registry.js';
import type { StatusResult } from '../results.js';

export function statusCommand(status: () => StatusResult): CommandDefinition<Record<string, never>> {
  return {
    name: 'status',
    summary: 'The daemon state, its problems, and the state of the library, cache, prefetch and updates.',
    args: z.object({}).strict(),
    run: () => status(),
  };
}
