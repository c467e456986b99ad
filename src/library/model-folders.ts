/**
 * The list of model folders, per category and in ComfyUI's lookup order:
 * `<comfy>/models`, then `extra_model_paths.yaml` (and any further config
 * files), then the roots from `library.roots`. The SSD cache is registered in
 * the YAML too (as an `is_default` section) and is excluded here, so the
 * cache is never read as library.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CATEGORY_FOLDERS, categoryOfFolder, isKnownCategory } from '../core/categories.js';
import { readExtraModelPaths, type ExtraPathEntry } from './extra-model-paths.js';
import { isWithin } from './paths.js';

export interface ModelFolder {
  /** Canonical category (`text_encoders`, never `clip`). */
  readonly category: string;
  /** Absolute path of the folder. */
  readonly dir: string;
  /** Where the folder comes from: `models`, `extra_model_paths.yaml#<section>`, `library.roots`. */
  readonly origin: string;
  /**
   * Set for the folders a root is expected to have (`<root>/loras`, ...): such
   * a folder may be absent without it being a problem, as long as the root
   * itself is there. Folders named explicitly in the YAML have no root.
   */
  readonly root?: string;
}

export interface FolderCollection {
  readonly folders: ModelFolder[];
  /** Mistakes in the files, one line each, for the user: what is wrong, in which file and where. */
  readonly problems: string[];
  /**
   * Folders that did not exist when collected. A running Library reports
   * absence itself and clears it when the folder returns, so the daemon shows
   * its problems instead of these; one-shot users (predict) print these.
   */
  readonly missing: string[];
}

export interface FolderCollectionInput {
  /** The ComfyUI install, whose `models/` and `extra_model_paths.yaml` are read. */
  comfyRoot?: string;
  /** Further YAML files, as ComfyUI's `--extra-model-paths-config`. */
  extraConfigFiles?: string[];
  /** `library.roots`: folders laid out as `<category>/<name>`. */
  libraryRoots: string[];
  /** Folders never to read as library (the SSD cache root). */
  exclude: string[];
  /** For `~` and `$VARS` in `base_path`; the process's own by default. */
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
}

/** The key under which a folder counts once: the same dir may serve two categories. */
export function folderKey(folder: Pick<ModelFolder, 'category' | 'dir'>): string {
  return `${folder.category}\u0000${folder.dir}`;
}

/**
 * Per-category lookup lists with ComfyUI's `add_model_folder_path` rules: a
 * folder already listed keeps its place, except that an `is_default` folder
 * moves (or is inserted) at the front.
 */
class LookupOrder {
  private readonly byCategory = new Map<string, ModelFolder[]>();

  add(folder: ModelFolder, isDefault = false): void {
    const list = this.byCategory.get(folder.category) ?? [];
    this.byCategory.set(folder.category, list);
    const index = list.findIndex((existing) => existing.dir === folder.dir);
    if (index >= 0) {
      if (isDefault && index > 0) list.unshift(...list.splice(index, 1));
      return;
    }
    if (isDefault) list.unshift(folder);
    else list.push(folder);
  }

  folders(): ModelFolder[] {
    return [...this.byCategory.values()].flat();
  }
}

async function isDirectory(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory();
  } catch {
    return false;
  }
}

/** Subfolders of a root that are no default folder of any category: custom categories such as `ipadapter`. */
async function customCategoryFolders(root: string): Promise<string[]> {
  let names: string[];
  try {
    names = (await readdir(root, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory() || entry.isSymbolicLink())
      .map((entry) => entry.name);
  } catch {
    return [];
  }
  const custom: string[] = [];
  for (const name of names.sort()) {
    if (name.startsWith('.')) continue;
    if (categoryOfFolder(name) !== name || isKnownCategory(name)) continue;
    if (await isDirectory(path.join(root, name))) custom.push(name);
  }
  return custom;
}

/** A root laid out as `<category>/<name>`: every default folder, then its custom categories. */
async function addRootFolders(order: LookupOrder, root: string, origin: string): Promise<void> {
  for (const [category, folders] of Object.entries(CATEGORY_FOLDERS)) {
    for (const folder of folders) order.add({ category, dir: path.join(root, folder), origin, root });
  }
  for (const name of await customCategoryFolders(root)) {
    order.add({ category: name, dir: path.join(root, name), origin, root });
  }
}

/** Both spellings of a path, so that an exclusion given through a symlink still matches. */
async function spellings(dir: string): Promise<string[]> {
  const resolved = path.resolve(dir);
  try {
    const real = await realpath(resolved);
    return real === resolved ? [resolved] : [resolved, real];
  } catch {
    return [resolved];
  }
}

async function withoutExcluded(folders: ModelFolder[], exclude: string[]): Promise<ModelFolder[]> {
  const excluded = (await Promise.all(exclude.map(spellings))).flat();
  if (excluded.length === 0) return folders;
  const kept: ModelFolder[] = [];
  for (const folder of folders) {
    const names = await spellings(folder.dir);
    if (!names.some((name) => excluded.some((parent) => isWithin(name, parent)))) kept.push(folder);
  }
  return kept;
}

/** Problems for sections whose folders do not exist: one per missing base_path, else one per folder. */
async function missingSectionFolders(entries: ExtraPathEntry[], kept: Set<string>, file: string): Promise<string[]> {
  const problems: string[] = [];
  const reportedBases = new Set<string>();
  for (const entry of entries) {
    if (!kept.has(folderKey(entry)) || (await isDirectory(entry.dir))) continue;
    if (entry.basePath !== undefined && !(await isDirectory(entry.basePath))) {
      const id = `${entry.section}\u0000${entry.basePath}`;
      if (!reportedBases.has(id)) problems.push(`${file} section '${entry.section}': base_path ${entry.basePath} is missing`);
      reportedBases.add(id);
      continue;
    }
    problems.push(`${file} section '${entry.section}': folder ${entry.dir} is missing`);
  }
  return problems;
}

export async function collectModelFolders(input: FolderCollectionInput): Promise<FolderCollection> {
  const expansion = { env: input.env ?? process.env, homeDir: input.homeDir ?? os.homedir() };
  const order = new LookupOrder();
  const problems: string[] = [];
  const missing: string[] = [];

  if (input.comfyRoot !== undefined) await addRootFolders(order, path.resolve(input.comfyRoot, 'models'), 'models');

  const configFiles: Array<{ file: string; required: boolean }> = [
    ...(input.comfyRoot === undefined ? [] : [{ file: path.resolve(input.comfyRoot, 'extra_model_paths.yaml'), required: false }]),
    ...(input.extraConfigFiles ?? []).map((file) => ({ file: path.resolve(file), required: true })),
  ];
  const sections: Array<{ file: string; entries: ExtraPathEntry[] }> = [];
  for (const { file, required } of configFiles) {
    const parsed = await readExtraModelPaths(file, { ...expansion, required });
    problems.push(...parsed.problems);
    sections.push({ file, entries: parsed.entries });
    for (const entry of parsed.entries) {
      const origin = `${path.basename(file)}#${entry.section}`;
      order.add({ category: entry.category, dir: entry.dir, origin }, entry.isDefault);
    }
  }

  for (const root of input.libraryRoots) {
    const dir = path.resolve(root);
    if (!(await isDirectory(dir))) missing.push(`library root ${dir} (library.roots) is missing`);
    await addRootFolders(order, dir, 'library.roots');
  }

  const folders = await withoutExcluded(order.folders(), input.exclude);
  const kept = new Set(folders.map(folderKey));
  for (const { file, entries } of sections) missing.push(...(await missingSectionFolders(entries, kept, file)));
  return { folders, problems, missing };
}
