/**
 * What the daemon creates is private, whatever the umask it was started
 * with: a shell's 022 would make every cached model, the ledger and the log
 * readable by any local user, though the model on the NAS was not. A user
 * install keeps everything to its user (0700/0600); a system install shares
 * it with the socket group (0750/0640), whose members run ComfyUI and
 * arenactl.
 */
import { chmod, lstat, readdir } from 'node:fs/promises';
import path from 'node:path';

export interface PrivateModes {
  readonly umask: number;
  readonly dir: number;
  readonly file: number;
}

export function privateModes(sharedWithGroup: boolean): PrivateModes {
  return sharedWithGroup ? { umask: 0o027, dir: 0o750, file: 0o640 } : { umask: 0o077, dir: 0o700, file: 0o600 };
}

/**
 * Takes away what a folder tree grants beyond the modes: left by an older
 * version, or by a run under a looser umask. Symlinks are not followed;
 * folders that do not exist yet are skipped (the umask covers them).
 */
export async function tightenTree(root: string, modes: PrivateModes): Promise<number> {
  let changed = 0;
  const visit = async (target: string): Promise<void> => {
    let stats;
    try {
      stats = await lstat(target);
    } catch {
      return;
    }
    if (stats.isSymbolicLink()) return;
    const allowed = stats.isDirectory() ? modes.dir : modes.file;
    const current = stats.mode & 0o777;
    if ((current & ~allowed) !== 0) {
      await chmod(target, current & allowed);
      changed += 1;
    }
    if (!stats.isDirectory()) return;
    for (const entry of await readdir(target).catch(() => [])) await visit(path.join(target, entry));
  };
  await visit(root);
  return changed;
}
