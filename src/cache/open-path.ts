/**
 * Where an open file or folder really is. On Linux the kernel says it for
 * the descriptor itself (`/proc/self/fd/N`), so a link swapped after the
 * open cannot fool the check; elsewhere the path is resolved again, which
 * narrows the window without closing it.
 */
import { readlink, realpath, type FileHandle } from 'node:fs/promises';

export async function realPathOf(handle: FileHandle, openedAs: string): Promise<string> {
  if (process.platform === 'linux') {
    try {
      return await readlink(`/proc/self/fd/${handle.fd}`);
    } catch {
      // /proc not mounted (a bare chroot): fall back to the path.
    }
  }
  return realpath(openedAs);
}

/** A path through an open folder's descriptor: a rename to it lands in that folder, wherever its path now leads. */
export function pathThroughHandle(folder: FileHandle, name: string): string | undefined {
  return process.platform === 'linux' ? `/proc/self/fd/${folder.fd}/${name}` : undefined;
}
