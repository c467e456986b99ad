/**
 * Installs the Arena nodes (the Python package in `comfyui/ComfyUI_Arena`)
 * into `<comfy>/custom_nodes/`: a symlink by default, so that they follow
 * the installed Arena, or a copy for a ComfyUI that cannot read this folder
 * (another user, a container).
 */
import { cp, lstat, readFile, readlink, rename, rm, stat, symlink } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ComfyRootError, NodeInstallError } from './errors.js';
import { disableOldNodes, findOldNodes, isOldNodeFolder, NEW_NODES_MARKER, type OldNodeFolder } from './old-nodes.js';

export const NODE_PACKAGE_NAME = 'ComfyUI_Arena';

/** `comfyui/ComfyUI_Arena` of this installation: two levels up from src/comfy or dist/comfy. */
export function nodePackageDir(): string {
  return fileURLToPath(new URL(`../../comfyui/${NODE_PACKAGE_NAME}`, import.meta.url));
}

export type InstallMode = 'symlink' | 'copy';

export interface InstallNodesOptions {
  readonly comfyRoot: string;
  readonly mode: InstallMode;
  /** Rename the old AutoCache node folders to `<name>.disabled`. */
  readonly disableOld: boolean;
  /** The package to install; this installation's by default. */
  readonly packageDir?: string;
}

export interface InstallNodesResult {
  readonly source: string;
  readonly target: string;
  readonly mode: InstallMode;
  readonly action: 'installed' | 'updated' | 'unchanged';
  /** Old node folders renamed by this run, as `{from, to}`. */
  readonly disabled: ReadonlyArray<{ readonly from: string; readonly to: string }>;
  /** Old node folders still loaded by ComfyUI. */
  readonly oldNodesActive: readonly string[];
}

async function isDirectory(dir: string): Promise<boolean> {
  return stat(dir).then(
    (stats) => stats.isDirectory(),
    () => false,
  );
}

/** What is at the target now. */
async function occupant(target: string, source: string): Promise<'none' | 'our-link' | 'other-link' | 'our-copy' | 'old-nodes' | 'other'> {
  // Nothing there; any other reason it cannot be looked at resurfaces when the nodes are put there.
  const stats = await lstat(target).catch(() => undefined);
  if (stats === undefined) return 'none';
  if (stats.isSymbolicLink()) {
    const pointsTo = path.resolve(path.dirname(target), await readlink(target));
    return pointsTo === path.resolve(source) ? 'our-link' : 'other-link';
  }
  if (!stats.isDirectory()) return 'other';
  const init = await readFile(path.join(target, '__init__.py'), 'utf8').catch(() => '');
  if (init.includes(NEW_NODES_MARKER)) return 'our-copy';
  return (await isOldNodeFolder(target)) ? 'old-nodes' : 'other';
}

/** Copies next to the target, then renames it into place, so ComfyUI never sees half a package. */
async function copyPackage(source: string, target: string): Promise<void> {
  const staging = `${target}.arena-installing-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await cp(source, staging, {
    recursive: true,
    filter: (file) => !file.split(path.sep).some((part) => part === '__pycache__'),
  });
  await rm(target, { recursive: true, force: true });
  await rename(staging, target);
}

export async function installNodes(options: InstallNodesOptions): Promise<InstallNodesResult> {
  const source = path.resolve(options.packageDir ?? nodePackageDir());
  if (!(await isDirectory(source))) {
    throw new NodeInstallError(source, `the Arena node package is missing at ${source}; reinstall comfyui-arena`);
  }
  const comfyRoot = path.resolve(options.comfyRoot);
  const customNodes = path.join(comfyRoot, 'custom_nodes');
  if (!(await isDirectory(customNodes))) {
    throw new ComfyRootError(`${comfyRoot} has no custom_nodes folder, so it is not a ComfyUI folder; pass --comfy-root DIR`);
  }
  const target = path.join(customNodes, NODE_PACKAGE_NAME);

  const disabled: Array<{ from: string; to: string }> = [];
  let old: OldNodeFolder[] = await findOldNodes(comfyRoot);
  if (options.disableOld) {
    for (const folder of old.filter((item) => !item.disabled)) disabled.push({ from: folder.path, to: await disableOldNodes(folder.path) });
    old = await findOldNodes(comfyRoot);
  }

  const found = await occupant(target, source);
  let action: InstallNodesResult['action'];
  if (found === 'old-nodes') {
    throw new NodeInstallError(
      target,
      `${target} holds the old AutoCache nodes; run again with --disable-old to rename it to ${NODE_PACKAGE_NAME}.disabled (ComfyUI skips such folders), or move it away`,
    );
  } else if (found === 'other' || found === 'other-link') {
    throw new NodeInstallError(target, `${target} exists and is not the Arena nodes; move it away first, then run this again`);
  } else if (options.mode === 'symlink') {
    if (found === 'our-link') action = 'unchanged';
    else {
      if (found === 'our-copy') await rm(target, { recursive: true, force: true });
      await symlink(source, target, 'dir');
      action = found === 'none' ? 'installed' : 'updated';
    }
  } else {
    if (found === 'our-link') await rm(target);
    await copyPackage(source, target);
    action = found === 'none' ? 'installed' : 'updated';
  }
  return {
    source,
    target,
    mode: options.mode,
    action,
    disabled,
    oldNodesActive: old.filter((item) => !item.disabled).map((item) => item.path),
  };
}
