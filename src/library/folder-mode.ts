/** Whether a model folder tree is watched through kernel events or polled. */
import { isRemoteFileSystem } from './mounts.js';

export const POLL_POLICIES = ['auto', 'always', 'never'] as const;
export type PollPolicy = (typeof POLL_POLICIES)[number];
export type FolderMode = 'watch' | 'poll';

/** Poll or watch, by policy and filesystem. */
export function folderMode(policy: PollPolicy, fsType: string, watchLimited = false): FolderMode {
  if (policy === 'always' || watchLimited) return 'poll';
  if (policy === 'never') return 'watch';
  return isRemoteFileSystem(fsType) ? 'poll' : 'watch';
}
