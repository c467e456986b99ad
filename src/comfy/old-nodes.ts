/**
 * Finds the old in-process AutoCache nodes in `<comfy>/custom_nodes/`: a
 * folder with "arena" in its name whose Python files use the old nodes'
 * switch `ARENA_AUTO_CACHE_ENABLED` or their `ArenaAutoCache` classes. The
 * new Arena nodes share those class names (so that old workflows keep
 * working) and are told apart by the marker in their `__init__.py`.
 */
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { errorCode } from '../cache/fs-errors.js';
import { renameToFreeName } from './file-backup.js';

/** The line that marks the daemon's own node package (comfyui/ComfyUI_Arena/__init__.py). */
export const NEW_NODES_MARKER = 'ARENA_NODE_PACKAGE = "arena-daemon-client"';

const OLD_NODE_SIGNS = ['ARENA_AUTO_CACHE_ENABLED', 'ArenaAutoCache'];
/** ComfyUI skips a custom node folder whose name ends in this. */
export const DISABLED_SUFFIX = '.disabled';
/** Enough of any source file to find the signs; nobody needs the rest. */
const READ_BYTES = 1024 * 1024;
const MAX_DEPTH = 3;
const SKIP_FOLDERS = new Set(['__pycache__', 'node_modules', '.git', 'web', 'js']);

export interface OldNodeFolder {
  readonly path: string;
  /** Its name ends in `.disabled`, so ComfyUI no longer loads it. */
  readonly disabled: boolean;
}

async function head(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(READ_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, READ_BYTES, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

async function pythonFiles(dir: string, depth: number): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isFile() && entry.name.endsWith('.py')) files.push(full);
    else if (entry.isDirectory() && depth < MAX_DEPTH && !SKIP_FOLDERS.has(entry.name) && !entry.name.startsWith('.')) {
      files.push(...(await pythonFiles(full, depth + 1)));
    }
  }
  return files;
}

/** True when the folder holds the old nodes and not the new ones. */
export async function isOldNodeFolder(dir: string): Promise<boolean> {
  const init = await head(path.join(dir, '__init__.py')).catch(() => '');
  if (init.includes(NEW_NODES_MARKER)) return false;
  for (const file of await pythonFiles(dir, 0)) {
    const text = await head(file).catch(() => '');
    if (OLD_NODE_SIGNS.some((sign) => text.includes(sign))) return true;
  }
  return false;
}

/** Old node folders in `<comfyRoot>/custom_nodes`, disabled ones included. */
export async function findOldNodes(comfyRoot: string): Promise<OldNodeFolder[]> {
  const customNodes = path.join(comfyRoot, 'custom_nodes');
  let names: string[];
  try {
    names = await readdir(customNodes);
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return [];
    throw error;
  }
  const found: OldNodeFolder[] = [];
  for (const name of names.sort()) {
    if (!name.toLowerCase().includes('arena')) continue;
    const dir = path.join(customNodes, name);
    const isDir = await stat(dir).then(
      (stats) => stats.isDirectory(),
      () => false,
    );
    if (isDir && (await isOldNodeFolder(dir))) found.push({ path: dir, disabled: name.endsWith(DISABLED_SUFFIX) });
  }
  return found;
}

/** Renames the folder to `<name>.disabled` (`.disabled-2`, ... if taken); returns the new path. */
export function disableOldNodes(folder: string): Promise<string> {
  return renameToFreeName(folder, (attempt) => (attempt === 1 ? `${folder}${DISABLED_SUFFIX}` : `${folder}-${attempt}${DISABLED_SUFFIX}`));
}

/** How to turn the old nodes off, for the reports of migrate and install-nodes. */
export function oldNodesAdvice(folder: string): string[] {
  return [
    `The old AutoCache nodes in ${folder} still patch ComfyUI's model loading and copy models themselves. Turn them off, either:`,
    `  - disable the folder: arenactl comfy install-nodes --disable-old (renames it to ${path.basename(folder)}${DISABLED_SUFFIX}, which ComfyUI skips, and installs the new Arena nodes under the same node names); or`,
    '  - keep it installed with its patching off: start ComfyUI with ARENA_AUTO_CACHE_ENABLED=0 and ARENA_AUTOCACHE_AUTOPATCH=0 in its environment, e.g. `ARENA_AUTO_CACHE_ENABLED=0 ARENA_AUTOCACHE_AUTOPATCH=0 python main.py`.',
    '    The old nodes let user/arena_autocache.env override their environment, so this holds once `arenactl migrate` has moved that file aside.',
    "    Do not put these variables in that file or in arenad's environment: arenad reads ARENA_AUTO_CACHE_ENABLED as cache.enable and would stop copying.",
    'Restart ComfyUI afterwards.',
  ];
}
