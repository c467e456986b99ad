/**
 * `arenactl migrate`: moves a user of the old in-process AutoCache nodes
 * over to the daemon. In order:
 *   1. the legacy settings (env file and environment) become config keys,
 *      written into the config file after a backup;
 *   2. the old cache folder is adopted: copies that are byte for byte a
 *      library file move to the daemon's layout and enter the ledger; the
 *      old nodes' partial copies, locks and index are removed;
 *   3. the env file is moved aside, so that the config file is the one place
 *      for settings (arenad would otherwise keep reading it on top);
 *   4. the report names what was mapped, dropped, adopted and left, and what
 *      the user still has to do (link the cache, turn the old nodes off).
 * Each step can run again: a second run finds everything in place.
 */
import { readFile, stat, mkdir } from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { CacheTree } from '../cache/cache-tree.js';
import { errorCode } from '../cache/fs-errors.js';
import { Ledger } from '../cache/ledger.js';
import { ConfigError } from '../config/errors.js';
import { SYSTEM_CONFIG_FILE, userConfigFile } from '../config/config-file.js';
import { EnvFileCache } from '../config/env-file.js';
import { loadConfig, type LoadedConfig } from '../config/load-config.js';
import { buildSchema, schemaEntries, type ConfigKey, type Platform } from '../config/schema.js';
import { buildCatalog } from '../library/build-catalog.js';
import { collectModelFolders } from '../library/model-folders.js';
import { silentLogger } from '../log/logger.js';
import { adoptOldCache, type AdoptionReport } from './adopt-cache.js';
import { editConfigText, type ConfigKeyChange } from './config-file-edit.js';
import { configFileValue } from './config-values.js';
import { ComfyRootError, ConfigWriteError, ModelPathsFileError } from './errors.js';
import { backupFile, moveAside } from './file-backup.js';
import { readLegacySettings, type LegacySetting } from './legacy-settings.js';
import { OLD_NODE_VARIABLES } from './legacy-variables.js';
import { linkCategories } from './link-categories.js';
import { linkCache } from './model-paths-file.js';
import { findOldNodes, oldNodesAdvice, type OldNodeFolder } from './old-nodes.js';

export interface MigrateOptions {
  readonly platform: Platform;
  /** `--from`: the ComfyUI folder of the old nodes; comfy.root by default. */
  readonly from?: string;
  /** `--config`: the config file to write; else ARENA_CONFIG, else the user's. */
  readonly configFile?: string;
  readonly dryRun: boolean;
  readonly now?: () => Date;
}

export interface ConfigChangeReport extends ConfigKeyChange {
  /** What the value comes from: a legacy variable, `--from`, or the old cache folder. */
  readonly origin: string;
}

export interface MigrationReport {
  readonly dryRun: boolean;
  readonly comfyRoot: string;
  readonly envFile: string | null;
  /** Where the env file went; null when there was none, or on a dry run. */
  readonly envFileMovedTo: string | null;
  readonly settings: readonly LegacySetting[];
  /** Lines of the env file that could not be read as settings. */
  readonly problems: readonly string[];
  readonly config: {
    readonly file: string;
    readonly action: 'created' | 'updated' | 'unchanged';
    readonly backup: string | null;
    readonly changes: readonly ConfigChangeReport[];
    /** Problems that would stop arenad with the written file; empty when it is fine (and on a dry run). */
    readonly check: readonly string[];
  };
  readonly cache: AdoptionReport & {
    readonly root: string;
    readonly oldRoots: readonly string[];
    readonly adoptedBytes: number;
  };
  readonly ledger: { readonly file: string; readonly entries: number };
  readonly oldNodes: readonly OldNodeFolder[];
  /** extra_model_paths.yaml already registers the cache as `arenactl comfy link` would. */
  readonly comfyLinked: boolean;
  readonly nextSteps: readonly string[];
}

/** An env-file reader that finds nothing: migrate reads the legacy file itself, and judges each line. */
const NO_ENV_FILE = new EnvFileCache({
  statSync() {
    throw Object.assign(new Error('read by migrate itself'), { code: 'ENOENT' });
  },
  readFileSync: () => '',
});

/** True when `comfy link` would change nothing: ComfyUI already looks in this cache first. */
async function cacheLinked(comfyRoot: string, cacheRoot: string, libraryCategories: readonly string[]): Promise<boolean> {
  try {
    const categories = await linkCategories(cacheRoot, libraryCategories);
    return (await linkCache({ comfyRoot, cacheRoot, categories, dryRun: true })).action === 'unchanged';
  } catch (error) {
    // A file ComfyUI cannot read either is not a link; comfy link names what is wrong with it.
    if (error instanceof ModelPathsFileError) return false;
    throw error;
  }
}

async function isDirectory(dir: string): Promise<boolean> {
  return stat(dir).then(
    (stats) => stats.isDirectory(),
    () => false,
  );
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw new ConfigWriteError(file, `it cannot be read (${errorCode(error) ?? String(error)})`, { cause: error });
  }
}

/**
 * The configuration as it stands without the legacy settings: the target
 * config file (if it exists), the environment minus the old nodes'
 * variables, the defaults. The legacy settings are laid over it.
 */
function baseConfig(platform: Platform, target: string, targetExists: boolean): LoadedConfig {
  const candidates = new Set([SYSTEM_CONFIG_FILE, userConfigFile(platform)]);
  const env = Object.fromEntries(Object.entries(platform.env).filter(([name]) => !OLD_NODE_VARIABLES.has(name) && name !== 'ARENA_CONFIG'));
  return loadConfig({
    platform: { ...platform, env, exists: (file) => !candidates.has(file) && platform.exists(file) },
    ...(targetExists ? { configFile: target } : {}),
    envFileCache: NO_ENV_FILE,
  });
}

/** Where the old nodes kept their cache: ARENA_CACHE_ROOT, else `<ComfyUI>/models/arena_cache`, else `~/Documents/ComfyUI-Cache`. */
async function oldCacheRoots(comfyRoot: string, legacyRoot: string | undefined, home: string): Promise<string[]> {
  const candidates = [legacyRoot, path.join(comfyRoot, 'models', 'arena_cache'), path.join(home, 'Documents', 'ComfyUI-Cache')];
  const roots: string[] = [];
  for (const candidate of candidates) {
    if (candidate !== undefined && !roots.includes(candidate) && (await isDirectory(candidate))) roots.push(candidate);
  }
  return roots;
}

/** What would stop arenad from starting with the written file, as `arenactl config check` words it. */
function checkProblems(platform: Platform, configFile: string): string[] {
  try {
    loadConfig({ platform, configFile });
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((problem) => problem.message);
  }
}

export async function migrate(options: MigrateOptions): Promise<MigrationReport> {
  const { platform, dryRun } = options;
  const now = options.now ?? (() => new Date());
  const schema = new Map(schemaEntries(buildSchema(platform)));
  const configFile = path.resolve(platform.cwd, options.configFile ?? (platform.env.ARENA_CONFIG || userConfigFile(platform)));
  const configText = await readIfPresent(configFile);
  const base = baseConfig(platform, configFile, configText !== undefined);

  const comfyRoot = options.from === undefined ? base.config.comfy.root : path.resolve(platform.cwd, options.from);
  if (comfyRoot === '') throw new ComfyRootError('no ComfyUI folder is configured and ~/ComfyUI does not exist; pass --from COMFY_ROOT');
  if (!(await isDirectory(comfyRoot))) throw new ComfyRootError(`the ComfyUI folder ${comfyRoot} does not exist; pass --from COMFY_ROOT`);

  const legacy = readLegacySettings(comfyRoot, platform);
  const settings: Array<{ key: ConfigKey; value: unknown; origin: string }> = [...legacy.values].map(([key, entry]) => ({
    key,
    value: entry.configValue,
    origin: entry.variable,
  }));
  if (comfyRoot !== base.config.comfy.root) settings.unshift({ key: 'comfy.root', value: comfyRoot, origin: '--from' });

  const legacyRoot = legacy.values.get('cache.root')?.value as string | undefined;
  const oldRoots = await oldCacheRoots(comfyRoot, legacyRoot, platform.home);
  let cacheRoot = legacyRoot ?? base.config.cache.root;
  if (legacyRoot === undefined && base.sources.get('cache.root')?.kind !== 'file' && oldRoots[0] !== undefined) {
    // The old nodes' folder becomes the cache root, so that their copies stay where they are.
    cacheRoot = oldRoots[0];
    settings.push({ key: 'cache.root', value: configFileValue(schema.get('cache.root')!, cacheRoot), origin: "the old nodes' cache folder" });
  }
  const libraryRoots = (legacy.values.get('library.roots')?.value as string[] | undefined) ?? base.config.library.roots;
  const stateDir = base.config.state.dir;

  // 1. The config file.
  const edit = editConfigText(configText, configFile, settings);
  const changed = edit.changes.some((change) => change.action === 'set');
  let backup: string | null = null;
  if (changed && !dryRun) {
    if (configText !== undefined) backup = await backupFile(configFile, now());
    await mkdir(path.dirname(configFile), { recursive: true });
    await writeFileAtomic(configFile, edit.text, { fsync: true, mode: 0o644 });
  }

  // 2. The old cache, against the library the daemon will see.
  const tree = new CacheTree(cacheRoot);
  const { folders } = await collectModelFolders({
    comfyRoot,
    libraryRoots: [...libraryRoots],
    exclude: [tree.root, ...oldRoots],
    env: platform.env,
    homeDir: platform.home,
  });
  const catalog = await buildCatalog(folders);
  const ledgerFile = path.join(stateDir, 'ledger.json');
  const ledger = await Ledger.load(ledgerFile, silentLogger);
  const adoption = await adoptOldCache({ oldRoots, tree, catalog, ledger, dryRun, now: () => now().getTime() });
  if (!dryRun) await ledger.close();

  // 3. The env file, now that its settings live in the config file.
  const envFileMovedTo = legacy.envFile !== null && !dryRun ? await moveAside(legacy.envFile, 'migrated', now()) : null;

  const oldNodes = await findOldNodes(comfyRoot);
  const origins = new Map(settings.map((setting) => [setting.key, setting.origin]));
  const report: MigrationReport = {
    dryRun,
    comfyRoot,
    envFile: legacy.envFile,
    envFileMovedTo,
    settings: legacy.settings,
    problems: legacy.problems,
    config: {
      file: configFile,
      action: !changed ? 'unchanged' : configText === undefined ? 'created' : 'updated',
      backup,
      changes: edit.changes.map((change) => ({ ...change, origin: origins.get(change.key) ?? '' })),
      check: dryRun ? [] : checkProblems(platform, configFile),
    },
    cache: {
      root: tree.root,
      oldRoots,
      ...adoption,
      adoptedBytes: adoption.adopted.reduce((sum, file) => sum + file.bytes, 0),
    },
    ledger: {
      file: ledgerFile,
      entries: dryRun ? ledger.size + adoption.adopted.filter((file) => !ledger.has(file.key)).length : ledger.size,
    },
    oldNodes,
    comfyLinked: await cacheLinked(
      comfyRoot,
      tree.root,
      folders.map((folder) => folder.category),
    ),
    nextSteps: [],
  };
  return { ...report, nextSteps: nextSteps(report, platform) };
}

function nextSteps(report: MigrationReport, platform: Platform): string[] {
  const steps: string[] = [];
  for (const folder of report.oldNodes.filter((item) => !item.disabled)) steps.push(...oldNodesAdvice(folder.path));
  const stillSet = [...OLD_NODE_VARIABLES].filter((name) => platform.env[name] !== undefined);
  if (stillSet.length > 0) {
    steps.push(
      `This shell still sets ${stillSet.join(', ')}; arenad started from it reads them on top of ${report.config.file}. Remove them from your shell profile once you are happy with the config file.`,
    );
  }
  if (!report.comfyLinked) {
    steps.push(
      `Register the cache in ComfyUI, which the old nodes patched instead: arenactl comfy link --comfy-root ${report.comfyRoot}, then restart ComfyUI.`,
    );
  }
  steps.push('Start arenad: npm start in the checkout, or arenactl service install.');
  if (report.cache.unmatchedDir !== null) {
    steps.push(
      `Files of the old cache that match no library file (${report.cache.unmatched.filter((file) => file.movedTo).length}) were put in ${report.cache.unmatchedDir}, where arenad leaves them alone. Check them (a model whose NAS copy is gone may only be there), then delete the folder.`,
    );
  }
  return steps;
}
