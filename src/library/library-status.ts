/**
 * What the library reports: each folder's and root's state for `status`,
 * and one line per problem the user should fix or know about.
 */
import type { Catalog } from './catalog.js';
import { folderMode, type FolderMode, type PollPolicy } from './folder-mode.js';
import type { FolderPresence } from './folder-sync.js';
import type { ModelFolder } from './model-folders.js';
import { UNKNOWN_FILE_SYSTEM } from './mounts.js';
import { isWithin } from './paths.js';

export interface FolderStatus {
  category: string;
  dir: string;
  origin: string;
  state: 'ok' | 'missing';
  mode: FolderMode;
  fsType: string;
  models: number;
  bytes: number;
}

/**
 * A root laid out as `<category>/<name>` (`<comfy>/models`, `library.roots`),
 * or a folder that `extra_model_paths.yaml` names on its own: what a NAS
 * going away takes down. A root is `ok` while its directory is there, though
 * it lacks most category folders: that is normal.
 */
export interface RootStatus {
  /**
   * Where the configuration names it, never a path: `models` (under
   * comfy.root), `library.roots[0]`, `extra_model_paths.yaml#section:category`.
   * Metrics label roots with it.
   */
  name: string;
  dir: string;
  state: 'ok' | 'missing';
}

export interface LibraryStatus {
  folders: FolderStatus[];
  /** Each root and each folder named on its own, once. */
  roots: RootStatus[];
  /** Distinct models (what ComfyUI lists) and their bytes. */
  models: number;
  bytes: number;
  /** Files kept in the catalog while their folder is unreachable. */
  unavailableModels: number;
}

/** How a folder is followed right now, as far as the status needs it. */
export interface FolderWatch {
  readonly active: boolean;
  readonly mode: FolderMode;
  readonly fsType: string;
  readonly watchLimited: boolean;
}

export interface StatusInputs {
  readonly folders: readonly ModelFolder[];
  present(folder: ModelFolder): FolderPresence;
  unitOf(folder: ModelFolder): FolderWatch | undefined;
  readonly poll: PollPolicy;
  readonly pollIntervalMs: number;
  readonly catalog: Catalog;
  readonly missingRoots: ReadonlySet<string>;
  /** Folder trees polled because the kernel refused more watches. */
  readonly watchLimitedTrees: number;
}

export function libraryStatus(inputs: StatusInputs): LibraryStatus {
  const folders = inputs.folders.map((folder): FolderStatus => {
    const unit = inputs.unitOf(folder);
    const fsType = unit?.fsType ?? UNKNOWN_FILE_SYSTEM;
    return {
      category: folder.category,
      dir: folder.dir,
      origin: folder.origin,
      state: inputs.present(folder) === 'ok' ? 'ok' : 'missing',
      mode: unit?.active ? unit.mode : folderMode(inputs.poll, fsType, unit?.watchLimited),
      fsType,
      ...inputs.catalog.folderCounts(folder),
    };
  });
  const { models, bytes, unavailableModels } = inputs.catalog.counts();
  return { folders, roots: rootStatus(inputs), models, bytes, unavailableModels };
}

export function libraryProblems(inputs: StatusInputs): string[] {
  const problems: string[] = [];
  for (const root of inputs.missingRoots) {
    const origin = inputs.folders.find((folder) => folder.root === root)?.origin ?? 'library';
    problems.push(`model root ${root} (${origin}) is missing; its models are kept as unavailable until it returns`);
  }
  for (const folder of inputs.folders) {
    if (inputs.present(folder) !== 'missing') continue;
    const models = inputs.catalog.folderEntries(folder).size;
    // A default folder that a present root simply does not have is normal.
    if (folder.root !== undefined && models === 0) continue;
    // Under a missing root (its own, or one that extra_model_paths.yaml also names), the root's line says it.
    if ([...inputs.missingRoots].some((root) => isWithin(folder.dir, root))) continue;
    const kept = models === 0 ? '' : `; its ${models} ${models === 1 ? 'model is' : 'models are'} kept as unavailable until it returns`;
    problems.push(`model folder ${folder.dir} (${folder.category}, from ${folder.origin}) is missing${kept}`);
  }
  if (inputs.watchLimitedTrees > 0) {
    problems.push(
      `the inotify watch limit is reached: ${inputs.watchLimitedTrees} model folder tree(s) are polled every ` +
        `${inputs.pollIntervalMs / 1000} s instead of watched; raise fs.inotify.max_user_watches`,
    );
  }
  return problems;
}

function rootStatus(inputs: StatusInputs): RootStatus[] {
  const roots = new Map<string, RootStatus>();
  let libraryRoots = 0;
  for (const folder of inputs.folders) {
    const dir = folder.root ?? folder.dir;
    if (roots.has(dir)) continue;
    const present = folder.root === undefined ? inputs.present(folder) === 'ok' : !inputs.missingRoots.has(folder.root);
    roots.set(dir, { name: rootName(folder, () => libraryRoots++), dir, state: present ? 'ok' : 'missing' });
  }
  return [...roots.values()];
}

/** A root's name in the configuration; `nextLibraryRoot` numbers the library.roots entries in their order. */
function rootName(folder: ModelFolder, nextLibraryRoot: () => number): string {
  if (folder.root === undefined) return `${folder.origin}:${folder.category}`;
  return folder.origin === 'library.roots' ? `library.roots[${nextLibraryRoot()}]` : folder.origin;
}
