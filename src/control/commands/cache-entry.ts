import { z } from 'zod';
import type { CommandDefinition } from '../command-registry.js';
import { modelKeySchema, splitModelKey } from '../model-name.js';

/** pin and unpin: one model key in, the service's answer out. */
export function cacheEntryCommand(
  name: 'pin' | 'unpin',
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

/** evict: like the others, and `force` to remove a pinned model too. */
export function evictCommand(act: (key: string, force: boolean) => unknown): CommandDefinition<{ key: string; force: boolean }> {
  return {
    name: 'evict',
    summary: 'Remove a model from the SSD now; ComfyUI falls back to the NAS file. A pinned model needs force.',
    args: z.object({ key: modelKeySchema, force: z.boolean().default(false) }).strict(),
    run({ key, force }) {
      const { category, name: model } = splitModelKey(key);
      return act(`${category}/${model}`, force);
    },
  };
}
