import { z } from 'zod';
import type { CommandDefinition } from '../command-registry.js';
import { modelKeySchema, splitModelKey } from '../model-name.js';

/** pin, unpin and evict: one model key in, the service's answer out. */
export function cacheEntryCommand(
  name: 'pin' | 'unpin' | 'evict',
  summary: string,
  act: (key: string) => unknown,
): CommandDefinition<{ key: string }> {
  return {
    name,
    summary,
    args: z.object({ key: modelKeySchema }).strict(),
    run({ key }) {
      const { category, name: model } = splitModelKey(key);
      return act(`${category}/${model}`);
    },
  };
}
