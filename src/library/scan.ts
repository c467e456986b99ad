/**
 * Lists the model files of one folder, as ComfyUI would: recursively, through
 * symlinks to files and folders, keeping the files whose name counts for the
 * category. Dot-folders are skipped (the updater stages downloads in
 * `.arena/`), and so are partial downloads, which end in `.part`, `.tmp` or
 * `.crdownload` and therefore have no model extension.
 */
import type { Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import fastGlob from 'fast-glob';
import { isModelFileFor } from '../core/categories.js';
import type { CatalogEntry } from '../core/catalog-view.js';
import type { ModelFolder } from './model-folders.js';
import { isWithin } from './paths.js';

/** A model file as a scan finds it: a catalog entry before the catalog knows whether its root is reachable. */
export type ScannedModel = Omit<CatalogEntry, 'available'>;

export type FolderScan =
  | { readonly state: 'ok'; readonly models: ScannedModel[] }
  /** The folder is gone, or cannot be reached (an unmounted NAS, a dead FUSE mount). */
  | { readonly state: 'missing'; readonly reason: string };

export interface ScanOptions {
  /** Scan only this subfolder (relative to the folder); names stay relative to the folder. */
  readonly subdir?: string;
}

/** Anything inside a dot-folder is staging or tooling, never a model. */
const SKIP_DOT_FOLDERS = ['**/.*/**'];

/** Why a folder counts as unreachable, or undefined when it is a readable directory. */
export async function folderProblem(dir: string): Promise<string | undefined> {
  try {
    return (await stat(dir)).isDirectory() ? undefined : 'not a directory';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? 'unreachable';
  }
}

/** True when a name relative to its folder lies inside a dot-folder. */
export function isInDotFolder(name: string): boolean {
  return name
    .split('/')
    .slice(0, -1)
    .some((segment) => segment.startsWith('.'));
}

/**
 * The folder with a trailing separator. A walk computes it once, so that each
 * file's path is this one shared string plus the file's name: 100,000 paths
 * then cost a pointer pair each rather than a copy of the folder's characters.
 */
function folderBase(dir: string): string {
  return dir.endsWith(path.sep) ? dir : `${dir}${path.sep}`;
}

function toModel(folder: ModelFolder, name: string, stats: Stats, base = folderBase(folder.dir)): ScannedModel {
  return {
    category: folder.category,
    name,
    folder: folder.dir,
    path: base + name,
    size: stats.size,
    mtimeMs: stats.mtimeMs,
  };
}

/**
 * The real folders a model of this folder may lie in: the folder and its
 * root, symlinks resolved. The user configured them, so wherever they lead
 * is trusted; a link inside them (which anyone who can write to a shared NAS
 * can make) must stay inside them.
 */
export async function confinementOf(folder: ModelFolder): Promise<string[]> {
  const dirs = folder.root === undefined ? [folder.dir] : [folder.dir, folder.root];
  // A folder that cannot be resolved (gone, unreadable) bounds nothing; the scan reports it on its own.
  const real = await Promise.all(dirs.map((dir) => realpath(dir).catch(() => undefined)));
  return [...new Set(real.filter((dir): dir is string => dir !== undefined))];
}

/** Whether a path, after every symlink, lies within one of the bounds. */
async function staysInside(file: string, bounds: readonly string[]): Promise<boolean> {
  // A link that cannot be resolved (dangling, a loop) leads nowhere the daemon may read: it counts as outside.
  const real = await realpath(file).catch(() => undefined);
  return real !== undefined && bounds.some((bound) => isWithin(real, bound));
}

/** Identity of a directory, to follow each symlinked folder once (links may form cycles). */
function directoryId(stats: Stats): string {
  return `${stats.dev}:${stats.ino}`;
}

/** How many stat calls a scan keeps in flight: enough to keep libuv's threads busy. */
const STAT_BATCH = 256;

/**
 * Lists a folder tree by directory entries alone, then stats only the files
 * whose name makes them models. Asking fast-glob for stats would stat every
 * preview image and metadata file too, and hold all of those results in
 * memory until the walk ends: with 100,000 models that was the daemon's peak.
 */
async function walk(folder: ModelFolder, prefix: string, visited: Set<string>, bounds: readonly string[], found: ScannedModel[]): Promise<void> {
  const models: string[] = [];
  const links: string[] = [];
  const entries = fastGlob.stream('**/*', {
    cwd: path.join(folder.dir, prefix),
    dot: true,
    ignore: SKIP_DOT_FOLDERS,
    onlyFiles: false,
    followSymbolicLinks: false,
    objectMode: true,
    // ComfyUI's os.walk skips what it cannot read; a vanished root is checked by the caller.
    suppressErrors: true,
  });
  for await (const entry of entries as AsyncIterable<fastGlob.Entry>) {
    const name = prefix === '' ? entry.path : `${prefix}/${entry.path}`;
    if (entry.dirent.isSymbolicLink()) links.push(name);
    else if (entry.dirent.isFile() && isModelFileFor(folder.category, name)) models.push(name);
  }
  const base = folderBase(folder.dir);
  for (let next = 0; next < models.length; next += STAT_BATCH) {
    const batch = models.slice(next, next + STAT_BATCH);
    // A file gone between the listing and its stat is simply not in this scan.
    const stats = await Promise.all(batch.map((name) => stat(path.join(folder.dir, name)).catch(() => undefined)));
    batch.forEach((name, index) => {
      const fileStats = stats[index];
      // Gone since it was listed, or replaced by something that is not a file: not a model now.
      if (fileStats?.isFile() === true) found.push(toModel(folder, name, fileStats, base));
    });
  }
  for (const name of links) {
    let stats: Stats;
    try {
      stats = await stat(path.join(folder.dir, name));
    } catch {
      continue; // a dangling link is no file, for ComfyUI either
    }
    // Only links can lead out of the folder; a file below a followed folder link lies inside it.
    if (!(await staysInside(path.join(folder.dir, name), bounds))) continue;
    if (stats.isDirectory()) {
      if (visited.has(directoryId(stats)) || path.basename(name).startsWith('.')) continue;
      visited.add(directoryId(stats));
      await walk(folder, name, visited, bounds, found);
    } else if (stats.isFile() && isModelFileFor(folder.category, name)) {
      found.push(toModel(folder, name, stats));
    }
  }
}

/** Scans a folder (or one of its subfolders) for model files. Never throws for a missing folder. */
export async function scanFolder(folder: ModelFolder, options: ScanOptions = {}): Promise<FolderScan> {
  const before = await folderProblem(folder.dir);
  if (before !== undefined) return { state: 'missing', reason: before };
  const prefix = options.subdir === undefined ? '' : options.subdir.split(path.sep).join('/');
  const found: ScannedModel[] = [];
  try {
    const start = await stat(path.join(folder.dir, prefix));
    const bounds = await confinementOf(folder);
    // A subfolder named by a watch event may itself be a link.
    if (start.isDirectory() && (await staysInside(path.join(folder.dir, prefix), bounds))) {
      await walk(folder, prefix, new Set([directoryId(start)]), bounds, found);
    }
  } catch {
    // The subfolder went away while we looked: it holds nothing now.
  }
  // A root that vanished during the walk yields a partial list, which must not read as deletions.
  const after = await folderProblem(folder.dir);
  if (after !== undefined) return { state: 'missing', reason: after };
  return { state: 'ok', models: found };
}

/** The model at `name` in the folder, or undefined when there is no such model file now. */
export async function statModel(folder: ModelFolder, name: string): Promise<ScannedModel | undefined> {
  if (!isModelFileFor(folder.category, name) || isInDotFolder(name)) return undefined;
  try {
    const file = path.join(folder.dir, name);
    const stats = await stat(file);
    if (!stats.isFile() || !(await staysInside(file, await confinementOf(folder)))) return undefined;
    return toModel(folder, name, stats);
  } catch {
    return undefined;
  }
}
