import { ConfigError } from '../config/errors.js';
import { loadConfig } from '../config/load-config.js';
import type { CatalogView } from '../core/catalog-view.js';
import { buildCatalog } from '../library/build-catalog.js';
import { collectModelFolders, type FolderCollection } from '../library/model-folders.js';
import type { CliIo } from './cli-io.js';

export interface LocalCatalog {
  readonly catalog: CatalogView;
  readonly folders: number;
  /** Lines for the user: mistakes in extra_model_paths.yaml, folders that are not there. */
  readonly warnings: readonly string[];
}

/** A catalog of these folders (`--library DIR`), each laid out as `<category>/<name>`, scanned once here. */
export async function catalogOfRoots(roots: readonly string[], io: CliIo): Promise<LocalCatalog> {
  return scanned(await collectModelFolders({ libraryRoots: [...roots], exclude: [], env: io.platform.env, homeDir: io.platform.home }));
}

/**
 * The library the daemon would see, scanned once here for commands that
 * resolve while it is down: the configuration loaded from the same sources,
 * then `<comfy.root>/models`, `extra_model_paths.yaml` and `library.roots`,
 * with the SSD cache left out. Undefined, with the reason, when nothing is
 * configured or the configuration cannot be loaded.
 */
export async function configuredCatalog(io: CliIo): Promise<LocalCatalog | { readonly catalog: undefined; readonly reason: string }> {
  let config;
  try {
    ({ config } = loadConfig({ platform: io.platform }));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return {
      catalog: undefined,
      reason: `the configuration has problems (arenactl config check lists them): ${error.problems[0]?.message ?? error.message}`,
    };
  }
  const comfyRoot = config.comfy.root || undefined;
  if (comfyRoot === undefined && config.library.roots.length === 0) {
    return { catalog: undefined, reason: 'no library is configured (no ComfyUI folder, no library.roots)' };
  }
  return scanned(
    await collectModelFolders({
      ...(comfyRoot === undefined ? {} : { comfyRoot }),
      libraryRoots: [...config.library.roots],
      exclude: [config.cache.root],
      env: io.platform.env,
      homeDir: io.platform.home,
    }),
  );
}

async function scanned(collection: FolderCollection): Promise<LocalCatalog> {
  return {
    catalog: await buildCatalog(collection.folders),
    folders: collection.folders.length,
    warnings: [...collection.problems, ...collection.missing],
  };
}
