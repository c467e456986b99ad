import { z } from 'zod';
import type { CommandDefinition } from '../command-registry.js';

/** `ls` and `stats`: read-only views that take no arguments. */
export function viewCommand(name: 'ls' | 'stats', summary: string, view: () => unknown): CommandDefinition<Record<string, never>> {
  return { name, summary, args: z.object({}).strict(), run: () => view() };
}
