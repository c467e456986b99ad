/** What the configuration asks of the library (its folders, how they are watched) and of the cache. */
import path from 'node:path';
import type { ArenaConfig, Platform } from '../config/schema.js';
import type { CacheSettings } from '../cache/cache-service.js';
import type { Library, LibraryReconfiguration } from '../library/library.js';
import { collectModelFolders } from '../library/model-folders.js';

export interface ConfiguredFolders {
  readonly settings: Required<LibraryReconfiguration>;
  /** Configured folders that cannot be used (a bad extra_model_paths.yaml, ...); absent folders the Library reports itself. */
  readonly problems: readonly string[];
  /** Set when there is nothing to watch at all: no ComfyUI found and no library.roots. */
  readonly noComfy?: string;
}

export async function configuredFolders(config: ArenaConfig, platform: Platform): Promise<ConfiguredFolders> {
  const comfyRoot = config.comfy.root || undefined;
  const noComfy =
    !comfyRoot && config.library.roots.length === 0
      ? `no ComfyUI found: ${path.join(platform.home, 'ComfyUI')} does not exist and comfy.root is not set; set comfy.root (ARENA_COMFY_ROOT) or library.roots`
      : undefined;
  const collection = await collectModelFolders({
    ...(comfyRoot ? { comfyRoot } : {}),
    libraryRoots: [...config.library.roots],
    exclude: [config.cache.root],
    env: platform.env,
    homeDir: platform.home,
  });
  return {
    settings: {
      folders: collection.folders,
      poll: config.library.poll,
      pollIntervalMs: config.library.pollInterval * 1000,
      rescanIntervalMs: config.library.rescanInterval * 1000,
    },
    problems: collection.problems,
    ...(noComfy === undefined ? {} : { noComfy }),
  };
}

/** Whether the library folder holding a file is reachable: the innermost folder that contains it decides. */
export function folderReachable(library: Library, file: string): boolean | undefined {
  let best: { dir: string; state: 'ok' | 'missing' } | undefined;
  for (const folder of library.status().folders) {
    const inside = file.startsWith(folder.dir.endsWith(path.sep) ? folder.dir : `${folder.dir}${path.sep}`);
    if (inside && (best === undefined || folder.dir.length > best.dir.length)) best = folder;
  }
  return best === undefined ? undefined : best.state === 'ok';
}

export function cacheSettingsOf(config: ArenaConfig): CacheSettings {
  return {
    enabled: config.cache.enable,
    root: config.cache.root,
    maxBytes: config.cache.maxBytes,
    minFreeBytes: config.cache.minFreeBytes,
    minFileBytes: config.cache.minFileBytes,
    categories: config.cache.categories,
    concurrency: config.prefetch.concurrency,
    verify: config.prefetch.verify,
    lowWater: config.cache.lowWater,
    trimSchedule: config.cache.trimSchedule,
  };
}
