import { z } from 'zod';
import type { CommandDefinition } from '../command-registry.js';
import type { ConfigReport } from '../results.js';

export function configShowCommand(report: () => ConfigReport): CommandDefinition<Record<string, never>> {
  return {
    name: 'config.show',
    summary: 'The effective configuration and where each value came from.',
    args: z.object({}).strict(),
    run: () => report(),
  };
}
