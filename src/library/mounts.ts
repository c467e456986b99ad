/**
 * Which filesystem a folder lives on. The library polls folders on network
 * and FUSE filesystems, because kernel file events never arrive there for
 * changes made by another machine (or, for FUSE, through the backing folder).
 */
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';

export interface MountEntry {
  readonly device: string;
  readonly mountPoint: string;
  readonly fsType: string;
}

/** The type reported when the mount table cannot be read or the platform is not supported. */
export const UNKNOWN_FILE_SYSTEM = 'unknown';

/** Network filesystem types, as Linux's /proc/mounts and macOS's `mount` name them. */
const REMOTE_TYPES = new Set(['nfs', 'nfs4', 'cifs', 'smb3', 'smbfs', 'afpfs', 'webdav']);

/**
 * True for network filesystems and for every FUSE filesystem. bindfs, sshfs
 * and rclone all show up as `fuse`, `fuseblk` or `fuse.<name>`, and none of
 * them forwards changes made underneath to inotify.
 */
export function isRemoteFileSystem(fsType: string): boolean {
  const type = fsType.toLowerCase();
  return REMOTE_TYPES.has(type) || type === 'fuse' || type === 'fuseblk' || type.startsWith('fuse.');
}

/** /proc/mounts writes space, tab, newline and backslash in paths as 3-digit octal escapes. */
function decodeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_match, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/** Parses the text of /proc/mounts: `device mountPoint type options dump pass` a line. */
export function parseProcMounts(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const [device, mountPoint, fsType] = fields;
    if (device === undefined || mountPoint === undefined || fsType === undefined) continue;
    entries.push({ device: decodeMountField(device), mountPoint: decodeMountField(mountPoint), fsType });
  }
  return entries;
}

/** Parses macOS `mount` output: `//user@nas/share on /Volumes/share (smbfs, nodev, nosuid, mounted by user)`. */
export function parseMacMountOutput(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const match = /^(.+?) on (.+) \(([^,()]+)[^()]*\)\s*$/.exec(line);
    if (!match) continue;
    const [, device, mountPoint, fsType] = match;
    entries.push({ device: device!, mountPoint: mountPoint!, fsType: fsType!.trim() });
  }
  return entries;
}

function contains(mountPoint: string, target: string): boolean {
  if (mountPoint === '/') return true;
  return target === mountPoint || target.startsWith(`${mountPoint}/`);
}

/**
 * The type of the mount holding `target` (an absolute, symlink-free path):
 * the longest mount point that contains it. When one mount point is mounted
 * over another, the later line of the table is the one in effect.
 */
export function fileSystemTypeFromTable(entries: readonly MountEntry[], target: string): string {
  let best: MountEntry | undefined;
  for (const entry of entries) {
    if (!contains(entry.mountPoint, target)) continue;
    if (best === undefined || entry.mountPoint.length >= best.mountPoint.length) best = entry;
  }
  return best?.fsType ?? UNKNOWN_FILE_SYSTEM;
}

/** The nearest existing folder at or above `target`, with symlinks resolved. */
async function realpathOfNearest(target: string): Promise<string> {
  let current = path.resolve(target);
  for (;;) {
    try {
      return await realpath(current);
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}

async function readMountTable(): Promise<MountEntry[] | undefined> {
  if (process.platform === 'linux') return parseProcMounts(await readFile('/proc/mounts', 'utf8'));
  if (process.platform === 'darwin') return parseMacMountOutput((await execa('mount')).stdout);
  return undefined;
}

/**
 * The filesystem type of the folder at `target` (`ext4`, `nfs4`, `fuse`, ...).
 * A folder that does not exist gets the type of its nearest existing parent;
 * `unknown` when the mount table cannot be read.
 */
export async function fileSystemTypeOf(target: string): Promise<string> {
  try {
    const table = await readMountTable();
    if (table === undefined) return UNKNOWN_FILE_SYSTEM;
    return fileSystemTypeFromTable(table, await realpathOfNearest(target));
  } catch {
    return UNKNOWN_FILE_SYSTEM;
  }
}
