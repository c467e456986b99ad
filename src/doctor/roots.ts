/**
 * Doctor: the model roots (each reachable, its filesystem, watched or
 * polled) and the inotify watch limit, which must cover every folder of the
 * watched roots: @parcel/watcher's inotify backend takes one watch per folder.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { formatDuration } from '../core/duration.js';
import { folderMode, type PollPolicy } from '../library/folder-mode.js';
import { collectModelFolders } from '../library/model-folders.js';
import { fileSystemTypeOf } from '../library/mounts.js';
import { fail, pass, warn, type CheckResult } from './check.js';

export const INOTIFY_LIMIT_FILE = '/proc/sys/fs/inotify/max_user_watches';

/** Folders that count as one root: a root laid out as <category>/<name>, or one section of extra_model_paths.yaml. */
export interface RootGroup {
  readonly label: string;
  /** Set for roots (`<comfy>/models`, library.roots); a YAML section lists its folders one by one. */
  readonly root?: string;
  readonly dirs: readonly string[];
}

export interface RootsInput {
  readonly comfyRoot: string;
  readonly libraryRoots: readonly string[];
  readonly cacheRoot: string;
  readonly env: NodeJS.ProcessEnv;
  readonly home: string;
}

export async function rootGroups(input: RootsInput): Promise<RootGroup[]> {
  const { folders } = await collectModelFolders({
    ...(input.comfyRoot ? { comfyRoot: input.comfyRoot } : {}),
    libraryRoots: [...input.libraryRoots],
    exclude: [input.cacheRoot],
    env: input.env,
    homeDir: input.home,
  });
  const groups = new Map<string, { label: string; root?: string; dirs: string[] }>();
  for (const folder of folders) {
    const key = folder.root ?? folder.origin;
    const group = groups.get(key) ?? {
      label: folder.root ? `${folder.root} (${folder.origin})` : folder.origin,
      ...(folder.root ? { root: folder.root } : {}),
      dirs: [],
    };
    group.dirs.push(folder.dir);
    groups.set(key, group);
  }
  return [...groups.values()];
}

async function isDirectory(dir: string): Promise<boolean> {
  // A folder that cannot be looked at is as good as absent here: the caller reports it missing.
  return (await fs.stat(dir).catch(() => undefined))?.isDirectory() === true;
}

export interface RootCheck {
  readonly result: CheckResult;
  /** The folders to count against the inotify limit: present, and watched rather than polled. */
  readonly watched: readonly string[];
}

export async function checkRoot(group: RootGroup, poll: PollPolicy, pollIntervalSeconds: number): Promise<RootCheck> {
  const present: string[] = [];
  for (const dir of group.root ? [group.root] : group.dirs) if (await isDirectory(dir)) present.push(dir);
  if (present.length === 0) {
    return {
      result: fail(
        'root',
        `${group.label} is missing or not mounted`,
        'mount it (a NAS share must be mounted before arenad starts), or remove it from library.roots or extra_model_paths.yaml',
      ),
      watched: [],
    };
  }
  const fsType = await fileSystemTypeOf(present[0]!);
  const mode = folderMode(poll, fsType);
  const how = mode === 'watch' ? 'watched for changes' : `polled every ${formatDuration(pollIntervalSeconds)}`;
  const watched = mode === 'watch' ? present : [];
  const missing = group.root ? [] : group.dirs.filter((dir) => !present.includes(dir));
  if (missing.length > 0) {
    return {
      result: warn(
        'root',
        `${group.label}: ${fsType}, ${how}; ${missing.length} of its folders ${missing.length === 1 ? 'is' : 'are'} missing: ${missing.slice(0, 3).join(', ')}`,
        'create them, or remove them from extra_model_paths.yaml',
      ),
      watched,
    };
  }
  return { result: pass('root', `${group.label}: ${fsType}, ${how}`), watched };
}

/** Counts folders (the top ones included) under each dir, stopping once `cap` is reached. */
export async function countFolders(dirs: readonly string[], cap: number): Promise<number> {
  let count = 0;
  const stack = [...new Set(dirs)];
  while (stack.length > 0 && count < cap) {
    const dir = stack.pop()!;
    count += 1;
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) if (entry.isDirectory()) stack.push(path.join(dir, entry.name));
  }
  return count;
}

export interface InotifyInput {
  readonly os: NodeJS.Platform;
  /** The watched folders: present library roots in watch mode, and ComfyUI's user/ and output/. */
  readonly watched: readonly string[];
  readonly limitFile?: string;
}

export async function checkInotify(input: InotifyInput): Promise<CheckResult> {
  if (input.os !== 'linux') return pass('inotify', `no watch limit to check on ${input.os}`);
  const limitFile = input.limitFile ?? INOTIFY_LIMIT_FILE;
  const limit = Number((await fs.readFile(limitFile, 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(limit) || limit <= 0)
    return warn(
      'inotify',
      `the inotify watch limit cannot be read from ${limitFile}`,
      'check that /proc is mounted; the library falls back to polling when watches run out',
    );
  const needed = await countFolders(input.watched, 2 * limit + 1);
  const raise = `raise it: echo fs.inotify.max_user_watches=${Math.max(524_288, 4 * needed)} | sudo tee /etc/sysctl.d/90-arena.conf && sudo sysctl --system`;
  if (needed > limit) {
    return fail(
      'inotify',
      `the inotify watch limit (${limit}) is below the ${needed}${needed > 2 * limit ? '+' : ''} folders Arena watches; the rest are only polled`,
      raise,
    );
  }
  // The limit is per user: ComfyUI, editors and other watchers draw from the same budget.
  if (needed > limit / 2)
    return warn(
      'inotify',
      `Arena watches ${needed} folders, over half of the inotify watch limit (${limit}) that it shares with your other programs`,
      raise,
    );
  return pass('inotify', `Arena watches ${needed} folders; the inotify watch limit is ${limit}`);
}
