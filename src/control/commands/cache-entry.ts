import { socketCommand } from '../command-registry.js';
import type { CommandResult } from '../contract/commands.js';
import { splitModelKey } from '../model-name.js';

/** The key confined to the library (E_PATH otherwise), as `category/name`. */
function confinedKey(key: string): string {
  const { category, name } = splitModelKey(key);
  return `${category}/${name}`;
}

/** pin: one model key in, the request's outcome out (once it is on disk). */
export function pinCommand(pin: (key: string) => Promise<CommandResult<'pin'>>) {
  return socketCommand('pin', ({ key }) => pin(confinedKey(key)));
}

export function unpinCommand(unpin: (key: string) => CommandResult<'unpin'>) {
  return socketCommand('unpin', ({ key }) => unpin(confinedKey(key)));
}

/** evict: like the others, and `force` to remove a pinned model too. */
export function evictCommand(evict: (key: string, force: boolean) => Promise<CommandResult<'evict'>>) {
  return socketCommand('evict', ({ key, force }) => evict(confinedKey(key), force));
}
