import { readFile, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { errorCode } from '../cache/fs-errors.js';
import { CACHE_SECTION, linkSection, sectionYaml, unlinkSection, type LinkAction, type UnlinkAction } from './cache-section.js';
import { ComfyRootError, ModelPathsFileError } from './errors.js';
import { backupFile } from './file-backup.js';

export const MODEL_PATHS_FILE = 'extra_model_paths.yaml';

export interface LinkOptions {
  readonly comfyRoot: string;
  readonly cacheRoot: string;
  readonly categories: readonly string[];
  /** Work out the change and report it, writing nothing (no backup either). */
  readonly dryRun?: boolean;
  /** For the backup's name. */
  readonly now?: () => Date;
}

export interface LinkResult {
  readonly file: string;
  readonly section: typeof CACHE_SECTION;
  /** What was done, or with dryRun what would be done. */
  readonly action: LinkAction;
  readonly dryRun: boolean;
  /** Where the previous file was copied; null when nothing changed, there was no file, or on a dry run. */
  readonly backup: string | null;
  readonly cacheRoot: string;
  readonly categories: readonly string[];
  /** The section as the file holds it afterwards. */
  readonly sectionText: string;
}

export interface UnlinkResult {
  readonly file: string;
  readonly section: typeof CACHE_SECTION;
  readonly action: UnlinkAction;
  readonly backup: string | null;
  /** The file held nothing but the section, so it was removed (ComfyUI fails on an empty one). */
  readonly fileRemoved: boolean;
}

async function requireComfyRoot(comfyRoot: string): Promise<string> {
  const root = path.resolve(comfyRoot);
  const isDir = await stat(root).then(
    (stats) => stats.isDirectory(),
    () => false,
  );
  if (!isDir) throw new ComfyRootError(`the ComfyUI folder ${root} does not exist; pass --comfy-root DIR or set comfy.root`);
  return root;
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw new ModelPathsFileError(file, `cannot be read (${errorCode(error) ?? String(error)})`, { cause: error });
  }
}

/**
 * Registers the cache in `<comfy>/extra_model_paths.yaml` as the
 * `arena_cache` section with `is_default: true`, backing the file up first.
 * Nothing is written, and no backup made, when the section is already right.
 */
export async function linkCache(options: LinkOptions): Promise<LinkResult> {
  const file = path.join(await requireComfyRoot(options.comfyRoot), MODEL_PATHS_FILE);
  const cacheRoot = path.resolve(options.cacheRoot);
  const text = await readIfPresent(file);
  const section = { basePath: cacheRoot, categories: options.categories };
  const edit = linkSection(text, file, section);
  const dryRun = options.dryRun === true;
  let backup: string | null = null;
  if (edit.action !== 'unchanged' && !dryRun) {
    if (text !== undefined) backup = await backupFile(file, (options.now ?? (() => new Date()))());
    await writeFileAtomic(file, edit.text, { fsync: true });
  }
  return {
    file,
    section: CACHE_SECTION,
    action: edit.action,
    dryRun,
    backup,
    cacheRoot,
    categories: options.categories,
    sectionText: sectionYaml(section),
  };
}

/** Removes the `arena_cache` section again, backing the file up first; nothing happens when it is absent. */
export async function unlinkCache(options: { readonly comfyRoot: string; readonly now?: () => Date }): Promise<UnlinkResult> {
  const file = path.join(await requireComfyRoot(options.comfyRoot), MODEL_PATHS_FILE);
  const text = await readIfPresent(file);
  if (text === undefined) return { file, section: CACHE_SECTION, action: 'absent', backup: null, fileRemoved: false };
  const edit = unlinkSection(text, file);
  if (edit.action === 'absent') return { file, section: CACHE_SECTION, action: 'absent', backup: null, fileRemoved: false };
  const backup = await backupFile(file, (options.now ?? (() => new Date()))());
  if (edit.text === undefined) await unlink(file);
  else await writeFileAtomic(file, edit.text, { fsync: true });
  return { file, section: CACHE_SECTION, action: 'removed', backup, fileRemoved: edit.text === undefined };
}
