/**
 * Where a tracked model lives on disk, found the way ComfyUI finds it: the
 * first folder of its category, in lookup order, that holds the name. The
 * disk is asked directly rather than the catalog, because the catalog of a
 * polled NAS can be a poll interval behind, and a swap acts on the disk.
 */
import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { messageOf } from '../core/arena-error.js';
import type { CatalogView } from '../core/catalog-view.js';
import { TargetError } from './errors.js';

/** A library folder as the library module lists it (`ModelFolder`). */
export interface LibraryFolderRef {
  readonly category: string;
  readonly dir: string;
  /** The root laid out as `<category>/<name>` that the folder belongs to, when it has one. */
  readonly root?: string;
}

/** What the updater needs of the library: its folders in lookup order, and its models for `identify`. */
export interface UpdateLibrary extends Pick<CatalogView, 'entries'> {
  folders(): readonly LibraryFolderRef[];
}

export interface LocatedTarget {
  /** The file: the one ComfyUI loads, or where a model not yet in the library will be installed. */
  readonly path: string;
  /** The category folder holding it. */
  readonly folder: string;
  /** `<library root>/.arena`, on the same filesystem as the file, so a swap is one rename. */
  readonly arenaDir: string;
  /** The file as it is now; undefined when the library does not have it yet. */
  readonly current?: Stats;
}

function isWithin(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(path.sep) ? parent : `${parent}${path.sep}`);
}

async function statOrUndefined(file: string): Promise<Stats | undefined> {
  try {
    return await fs.stat(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new TargetError(`cannot look at ${file}: ${messageOf(error)}; is the library reachable?`, { cause: error });
  }
}

/**
 * The library root of a folder, for `.arena/`: the configured root when the
 * folder has one, else the folder's parent, as long as it is on the same
 * filesystem; otherwise the category folder itself (the scan skips dot-folders).
 */
async function arenaDirFor(folder: LibraryFolderRef): Promise<string> {
  const base = folder.root ?? path.dirname(folder.dir);
  const [baseStats, folderStats] = await Promise.all([statOrUndefined(base), statOrUndefined(folder.dir)]);
  if (baseStats !== undefined && (folderStats === undefined || folderStats.dev === baseStats.dev)) return path.join(base, '.arena');
  return path.join(folder.dir, '.arena');
}

export async function locateTarget(
  library: UpdateLibrary,
  target: { readonly category: string; readonly name: string; readonly root?: string },
): Promise<LocatedTarget> {
  const key = `${target.category}/${target.name}`;
  const candidates = library
    .folders()
    .filter((folder) => folder.category === target.category && (target.root === undefined || isWithin(folder.dir, target.root)));
  for (const folder of candidates) {
    const file = path.join(folder.dir, ...target.name.split('/'));
    // No such file in this folder (or no folder): look in the next.
    const link = await statOrUndefined(folder.dir).then((stats) => (stats?.isDirectory() ? fs.lstat(file).catch(() => undefined) : undefined));
    if (link === undefined) continue;
    if (link.isSymbolicLink()) {
      throw new TargetError(
        `${file} (${key}) is a symlink; the updater replaces files, not links: track the file it points to (with root:) or replace the link by the file`,
      );
    }
    if (!link.isFile()) throw new TargetError(`${file} (${key}) is not a regular file`);
    return { path: file, folder: folder.dir, arenaDir: await arenaDirFor(folder), current: link };
  }
  // Not in the library yet: it goes to the first folder that exists, or that its root can hold.
  for (const folder of candidates) {
    const dirStats = await statOrUndefined(folder.dir);
    const rootStats = folder.root === undefined ? undefined : await statOrUndefined(folder.root);
    if (dirStats?.isDirectory() || rootStats?.isDirectory()) {
      return { path: path.join(folder.dir, ...target.name.split('/')), folder: folder.dir, arenaDir: await arenaDirFor(folder) };
    }
  }
  throw new TargetError(
    `no library folder of category ${target.category}${target.root === undefined ? '' : ` under ${target.root}`} exists to hold ${key}; check library.roots, extra_model_paths.yaml or the entry's root`,
  );
}
