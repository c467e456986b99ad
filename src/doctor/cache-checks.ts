/**
 * Doctor: the cache filesystem (free space against cache.minFreeBytes, and
 * that it is local) and the permissions the daemon needs: write access to
 * the cache root and the state folder for the user it runs as, and, for a
 * system install, membership of the socket's group for the user asking.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { minFreeBytesOf } from '../core/admission.js';
import { formatBytes } from '../core/byte-size.js';
import type { SizeOrPercent } from '../config/formats.js';
import { freeSpace, type FreeSpace } from '../cache/free-space.js';
import { fileSystemTypeOf, isRemoteFileSystem } from '../library/mounts.js';
import { fail, pass, warn, type CheckResult } from './check.js';

/** The folder itself, or the nearest parent that exists (where it would be created). */
async function nearestExisting(dir: string): Promise<string> {
  let current = path.resolve(dir);
  for (;;) {
    if (
      await fs.stat(current).then(
        () => true,
        () => false,
      )
    )
      return current;
    const parent = path.dirname(current);
    if (parent === current) return current;
    current = parent;
  }
}

export interface CacheSpaceInput {
  readonly cacheRoot: string;
  readonly minFreeBytes: SizeOrPercent;
  /** statfs of a folder; the real one by default. */
  readonly freeSpace?: (dir: string) => Promise<FreeSpace>;
}

export async function checkCacheSpace(input: CacheSpaceInput): Promise<CheckResult[]> {
  const dir = await nearestExisting(input.cacheRoot);
  const where = dir === path.resolve(input.cacheRoot) ? input.cacheRoot : `${input.cacheRoot} (not created yet; measured at ${dir})`;
  const results: CheckResult[] = [];
  const fsType = await fileSystemTypeOf(dir);
  if (isRemoteFileSystem(fsType)) {
    results.push(
      warn(
        'cache-space',
        `the cache ${input.cacheRoot} is on ${fsType}, a network or FUSE filesystem, so copies there are no faster to load than the NAS`,
        'set cache.root to a folder on a local SSD',
      ),
    );
  }
  const space = await (input.freeSpace ?? freeSpace)(dir);
  const floor = minFreeBytesOf(input.minFreeBytes, space.totalBytes);
  const figures = `${formatBytes(space.freeBytes)} free of ${formatBytes(space.totalBytes)} on ${where}; cache.minFreeBytes keeps ${formatBytes(floor)} free`;
  const fix = 'free space on that disk, lower cache.minFreeBytes, or move cache.root to a larger SSD';
  if (space.freeBytes < floor) results.push(fail('cache-space', `${figures}: no new copies can start`, fix));
  else if (space.freeBytes < 2 * floor) results.push(warn('cache-space', `${figures}: little room left for copies`, fix));
  else results.push(pass('cache-space', figures));
  return results;
}

/** A user as far as file permissions go. */
export interface Identity {
  readonly name: string;
  readonly uid: number;
  readonly gids: readonly number[];
}

/** The permission bits (as for "other": 4 read, 2 write, 1 search) that apply to `who`. */
function allowed(stat: { uid: number; gid: number; mode: number }, who: Identity): number {
  if (who.uid === 0) return 0o7;
  if (stat.uid === who.uid) return (stat.mode >> 6) & 0o7;
  if (who.gids.includes(stat.gid)) return (stat.mode >> 3) & 0o7;
  return stat.mode & 0o7;
}

/** The first folder on the way to `dir` that `who` may not pass through, if any. */
async function blockedOnTheWay(dir: string, who: Identity): Promise<string | undefined> {
  const parts = path
    .resolve(dir)
    .split(path.sep)
    .filter((part) => part !== '');
  for (let depth = 0; depth < parts.length; depth++) {
    const ancestor = path.sep + parts.slice(0, depth).join(path.sep);
    if ((allowed(await fs.stat(ancestor), who) & 0o1) === 0) return ancestor;
  }
  return undefined;
}

export interface PermissionsInput {
  /** Folders the daemon writes, by config key. */
  readonly writable: ReadonlyArray<{ readonly key: string; readonly dir: string }>;
  /** Folders the daemon reads (ComfyUI, the library roots); checked when they exist. */
  readonly readable?: ReadonlyArray<{ readonly key: string; readonly dir: string }>;
  /** The user the daemon runs as (the service user for a system install, else the user running doctor). */
  readonly daemonUser: Identity;
  /** The user running doctor. */
  readonly caller: Identity;
  /** control.socketGroup with its gid, when the socket is shared with a group. */
  readonly socketGroup?: { readonly name: string; readonly gid: number };
}

export async function checkPermissions(input: PermissionsInput): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const { daemonUser } = input;
  for (const { key, dir } of input.writable) {
    const existing = await nearestExisting(dir);
    const stat = await fs.stat(existing);
    const what = existing === path.resolve(dir) ? dir : `${existing}, where ${dir} would be created,`;
    const blocked = await blockedOnTheWay(existing, daemonUser);
    if (!stat.isDirectory()) {
      results.push(fail('permissions', `${key} ${dir}: ${existing} is not a folder`, `set ${key} to a folder`));
    } else if (blocked !== undefined) {
      results.push(
        fail(
          'permissions',
          `${daemonUser.name}, the user arenad runs as, cannot pass through ${blocked} to reach ${dir} (${key})`,
          `let it through (chmod o+x ${blocked}), or set ${key} elsewhere`,
        ),
      );
    } else if ((allowed(stat, daemonUser) & 0o3) !== 0o3) {
      results.push(
        fail(
          'permissions',
          `${what} is not writable by ${daemonUser.name}, the user arenad runs as (${key})`,
          `sudo install -d -o ${daemonUser.name} ${dir} (or chown -R ${daemonUser.name} ${dir}), or set ${key} to a folder ${daemonUser.name} owns`,
        ),
      );
    } else {
      results.push(pass('permissions', `${key} ${dir} is writable by ${daemonUser.name}`));
    }
  }
  for (const { key, dir } of input.readable ?? []) {
    // Only folders that exist are checked here (one doctor cannot look at counts as absent): the ComfyUI and root checks report missing ones.
    const stat = await fs.stat(dir).catch(() => undefined);
    if (!stat?.isDirectory()) continue;
    const blocked = (await blockedOnTheWay(dir, daemonUser)) ?? ((allowed(stat, daemonUser) & 0o5) === 0o5 ? undefined : dir);
    if (blocked !== undefined) {
      results.push(
        fail(
          'permissions',
          `${daemonUser.name}, the user arenad runs as, cannot read ${dir} (${key}): ${blocked} keeps it out`,
          `grant it access (for example setfacl -m u:${daemonUser.name}:rx ${blocked}), or run Arena as a user service (arenactl service install --user)`,
        ),
      );
    }
  }
  const group = input.socketGroup;
  if (group && input.caller.uid !== 0 && input.caller.uid !== daemonUser.uid && !input.caller.gids.includes(group.gid)) {
    results.push(
      warn(
        'permissions',
        `${input.caller.name} is not in the group ${group.name}, which the control socket is shared with, so arenactl cannot reach the daemon`,
        `sudo usermod -aG ${group.name} ${input.caller.name}, then log in again`,
      ),
    );
  }
  return results;
}
