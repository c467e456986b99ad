/**
 * What the system unit's sandbox must leave open, from the configuration the
 * daemon will run with: ProtectSystem=strict makes everything read-only, so
 * the cache root, the state folder, the log file's folder and the library
 * roots (where the updater stages downloads) are listed as ReadWritePaths;
 * ProtectHome hides home folders unless one of those paths is inside one.
 */
import path from 'node:path';
import type { ArenaConfig } from '../config/schema.js';
import { readExtraModelPaths } from '../library/extra-model-paths.js';
import { isWithin } from '../library/paths.js';
import { configuredLogFile } from '../log/log-destination.js';
import type { WritablePath } from './render-units.js';

/** Where systemd's ProtectHome= hides things. */
const HOME_TREES = ['/home', '/root', '/run/user'];

export interface SandboxPaths {
  readonly writable: WritablePath[];
  readonly protectHome: 'yes' | 'read-only';
  readonly protectHomeReason: string;
  /** The daemon's paths that lie in home folders, which are often private to their owner. */
  readonly inHome: string[];
}

export interface SandboxInput {
  readonly config: ArenaConfig;
  /** Folders systemd creates and opens itself (StateDirectory=, CacheDirectory=). */
  readonly managed: readonly string[];
  /** Further paths the daemon only reads: the Node binary, the package, the config file. */
  readonly readOnly: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly home: string;
}

/** The model roots the daemon reads: library.roots, <comfy>/models and the extra_model_paths.yaml sections but the cache's. */
async function libraryRoots(config: ArenaConfig, env: NodeJS.ProcessEnv, home: string): Promise<string[]> {
  const roots = [...config.library.roots];
  if (config.comfy.root) {
    roots.push(path.join(config.comfy.root, 'models'));
    const yaml = await readExtraModelPaths(path.join(config.comfy.root, 'extra_model_paths.yaml'), { env, homeDir: home, required: false });
    for (const entry of yaml.entries) {
      const root = entry.basePath ?? entry.dir;
      if (!isWithin(root, config.cache.root) && !isWithin(config.cache.root, root)) roots.push(root);
    }
  }
  return roots;
}

/** Drops duplicates and paths inside another path of the list: systemd opens subtrees with their parent. */
function outermost<T extends { readonly path: string }>(paths: readonly T[]): T[] {
  const kept: T[] = [];
  for (const candidate of [...paths].sort((a, b) => a.path.length - b.path.length)) {
    if (!kept.some((entry) => isWithin(candidate.path, entry.path))) kept.push(candidate);
  }
  return kept;
}

export async function sandboxPaths(input: SandboxInput): Promise<SandboxPaths> {
  const { config } = input;
  const outsideManaged = (dir: string) => !input.managed.some((managed) => isWithin(dir, managed));
  const required: WritablePath[] = [config.cache.root, config.state.dir].filter(outsideManaged).map((dir) => ({ path: dir, optional: false }));
  // A NAS root may be unmounted at boot: the unit must start anyway, and the daemon reports the root as missing.
  const optional: WritablePath[] = (await libraryRoots(config, input.env, input.home)).map((dir) => ({ path: dir, optional: true }));
  const logFile = configuredLogFile(config.log.file);
  if (logFile !== null) optional.push({ path: path.dirname(logFile), optional: true });
  const writable = outermost([...required, ...optional.filter((entry) => outsideManaged(entry.path))]);

  const used = [...input.readOnly, ...(config.comfy.root ? [config.comfy.root] : []), ...writable.map((entry) => entry.path)];
  const inHome = outermost(used.filter((item) => HOME_TREES.some((tree) => isWithin(item, tree))).map((item) => ({ path: item }))).map(
    (entry) => entry.path,
  );
  return {
    writable,
    protectHome: inHome.length > 0 ? 'read-only' : 'yes',
    protectHomeReason:
      inHome.length > 0
        ? `read-only, because ${inHome[0]!.replace(/\s+/g, ' ')} lies in one; only the ReadWritePaths above are writable there`
        : 'hidden; none of the paths the daemon uses lies in one',
    inHome,
  };
}
