import { mkdir, readdir, realpath, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { canonicalCategory } from '../core/categories.js';
import { PathError } from './errors.js';
import { errorCode } from './fs-errors.js';

/** A regular file found in the cache tree, named as it lies on disk. */
export interface CachedFile {
  /** The top-level folder it sits in, as spelled on disk. */
  readonly category: string;
  /** Its path below the category folder, `/`-separated. */
  readonly name: string;
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/** The daemon's own folder inside the cache root; no category may take its name. */
const ARENA_DIR = '.arena';

const WINDOWS_DRIVE = /^[A-Za-z]:[\\/]/;

/**
 * The cache root on disk: `<root>/<category>/<name>` for complete, verified
 * copies, and `<root>/.arena/staging/` for copies in flight. The staging
 * folder sits inside the root so that it is on the same filesystem and the
 * final rename is atomic.
 */
export class CacheTree {
  readonly root: string;
  /** `<root>/.arena`: staging, and whatever state the daemon keeps next to the cache. */
  readonly stateDir: string;
  readonly stagingDir: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.stateDir = join(this.root, ARENA_DIR);
    this.stagingDir = join(this.stateDir, 'staging');
  }

  /**
   * Where the cached copy of category/name lives. The category must be one
   * folder name (aliases such as `clip` map to their canonical folder); the
   * name may have subfolders, with `/` or `\` as the separator, as workflows
   * saved on Windows write it. Lexical only: see confinedPathOf for symlinks.
   */
  pathOf(category: string, name: string): string {
    const requested = `${category}/${name}`;
    if (category.includes('\0') || name.includes('\0')) throw new PathError(requested, 'it contains a NUL byte');
    if (category === '' || /[\\/]/.test(category)) throw new PathError(requested, 'the category must be one folder name');
    // A leading dot would let a category reach `.arena` (staging, the lock) or another hidden folder.
    if (category.startsWith('.')) throw new PathError(requested, 'categories starting with "." are reserved');
    if (/^[\\/]/.test(name) || WINDOWS_DRIVE.test(name)) throw new PathError(requested, 'the name is absolute');
    const segments: string[] = [];
    for (const segment of name.split(/[\\/]+/)) {
      if (segment === '' || segment === '.') continue;
      if (segment === '..') throw new PathError(requested, 'the name climbs out of its folder with ".."');
      segments.push(segment);
    }
    if (segments.length === 0) throw new PathError(requested, 'the name is empty');
    const path = join(this.root, canonicalCategory(category), ...segments);
    // Belt and braces: the checks above should make this unreachable.
    if (!isInside(this.root, path)) throw new PathError(requested, 'it resolves outside the cache root');
    return path;
  }

  /**
   * pathOf, plus a check on disk that no symlink along the way (a category
   * folder or a subfolder linked elsewhere, or the file itself) leads out of
   * the root. Folders that do not exist yet are created later by the copier
   * as real folders, so checking the deepest existing ancestor is enough.
   */
  async confinedPathOf(category: string, name: string): Promise<string> {
    const path = this.pathOf(category, name);
    const realRoot = await realpathOrUndefined(this.root);
    if (realRoot === undefined) return path;
    for (let probe = path; isInside(this.root, probe) && probe !== this.root; probe = dirname(probe)) {
      const real = await realpathOrUndefined(probe);
      if (real === undefined) continue;
      if (!isInside(realRoot, real)) {
        throw new PathError(`${category}/${name}`, `${probe} is a symlink that leads outside the cache root to ${real}`);
      }
      return path;
    }
    return path;
  }

  /** Creates the root, `.arena` and the staging folder. */
  async ensure(): Promise<void> {
    await mkdir(this.stagingDir, { recursive: true });
  }

  /**
   * Every regular file under a category folder. Hidden top-level folders
   * (`.arena`, a desktop's `.Trash-1000` on an external SSD) and files lying
   * directly in the root are not cache entries and are left out; symlinks
   * are neither followed nor listed.
   */
  async listFiles(): Promise<CachedFile[]> {
    const files: CachedFile[] = [];
    for (const top of await readdirOrEmpty(this.root)) {
      if (!top.isDirectory() || top.name.startsWith('.')) continue;
      await this.collect(top.name, join(this.root, top.name), [], files);
    }
    return files;
  }

  private async collect(category: string, dir: string, prefix: string[], out: CachedFile[]): Promise<void> {
    for (const entry of await readdirOrEmpty(dir)) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        await this.collect(category, path, [...prefix, entry.name], out);
      } else if (entry.isFile()) {
        const stats = await statOrUndefined(path);
        if (stats === undefined) continue;
        out.push({ category, name: [...prefix, entry.name].join('/'), path, size: stats.size, mtimeMs: stats.mtimeMs });
      }
    }
  }
}

/** True when path is root itself or lies below it (both absolute and normalised). */
export function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

async function realpathOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await realpath(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

/** A folder that vanished between listing and reading (an eviction racing the scan) reads as empty. */
async function readdirOrEmpty(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return [];
    throw error;
  }
}

async function statOrUndefined(path: string) {
  try {
    return await stat(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}
