/**
 * The swap: a verified file replaces the library file in one rename, on the
 * same filesystem, so the path always names a complete file (the old one or
 * the new one) and a ComfyUI that has the old file open keeps reading it.
 * The old file is first hard-linked into the versions folder, so nothing is
 * ever missing; where the filesystem has no hard links it is renamed there
 * instead, just before the new file arrives.
 */
import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { messageOf } from '../core/arena-error.js';
import type { Logger } from '../log/logger.js';
import { UpdateIoError } from './errors.js';
import type { LocatedTarget } from './locate-target.js';
import type { HistoryRecord } from './update-history.js';
import type { UpdateContext } from './update-context.js';
import type { FileVersion } from '../control/contract/update.js';
import { keptFileName, pruneKept, versionsDirOf, type KeptVersion } from './versions.js';

export interface SwapContext {
  readonly target: string;
  readonly located: LocatedTarget;
  /** How many previous versions to keep. */
  readonly keep: number;
  /** The current file's sha256, to name its kept copy; undefined when there is no current file. */
  readonly currentSha256?: string;
  /** Drops the SSD cache's copy; called before the rename so ComfyUI never loads a stale copy afterwards. */
  readonly invalidate: () => Promise<void>;
  readonly now: number;
  readonly logger: Logger;
}

export interface SwapResult {
  /** Where the replaced file was kept, if it was. */
  readonly keptAs?: string;
  readonly pruned: readonly KeptVersion[];
}

/** The swap of `target` as an update or a rollback makes it, replacing `current` (null: no file yet). */
export function swapContextOf(
  context: UpdateContext,
  target: string,
  located: LocatedTarget,
  keep: number,
  current: FileVersion | null,
): SwapContext {
  return {
    target,
    located,
    keep,
    ...(current === null ? {} : { currentSha256: current.sha256 }),
    invalidate: () => context.invalidate(target),
    now: context.now(),
    logger: context.logger,
  };
}

/** A swap done: `sha256` is now at `located.path`, where `current` was (null: no file). */
export interface DoneSwap {
  readonly target: string;
  readonly located: LocatedTarget;
  readonly current: FileVersion | null;
  readonly sha256: string;
  readonly swap: SwapResult;
}

/** What only the caller knows about a swap: an update from a hub, or a rollback that holds the version it replaced. */
export type SwapChange = Pick<HistoryRecord, 'action' | 'trigger' | 'source' | 'hold'>;

/**
 * What follows every swap, update or rollback: the hash cache learns what it
 * put in place, and the history records the change. Returns the version now
 * in place.
 */
export async function recordSwap(context: UpdateContext, done: DoneSwap, change: SwapChange): Promise<FileVersion> {
  const placed = await rememberSwap(context, done);
  const to = { sha256: done.sha256, bytes: placed.size };
  await context.history.append({
    at: new Date(context.now()).toISOString(),
    target: done.target,
    path: done.located.path,
    from: done.current,
    to,
    keptAs: done.swap.keptAs ?? null,
    ...change,
  });
  return to;
}

/**
 * Tells the hash cache what a swap put in place, so that the next check
 * reads no file again: the new file's sha256, and the kept one's. Returns
 * the new file's stats.
 */
async function rememberSwap(context: UpdateContext, { located, sha256, swap, current }: DoneSwap): Promise<Stats> {
  const placed = await fs.stat(located.path);
  await context.hashes.remember(located.path, placed, sha256);
  if (swap.keptAs !== undefined && current !== null) await context.hashes.remember(swap.keptAs, await fs.stat(swap.keptAs), current.sha256);
  return placed;
}

/** Filesystems (some SMB mounts) that cannot hard-link answer with one of these. */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'ENOSYS', 'EMLINK']);

async function fsyncDir(dir: string): Promise<void> {
  // A folder that cannot be opened cannot be fsynced either; the rename is done either way.
  const handle = await fs.open(dir, 'r').catch(() => undefined);
  if (handle === undefined) return;
  // Some network filesystems refuse fsync on a folder; the rename is done either way.
  await handle.sync().catch(() => undefined);
  await handle.close();
}

async function step<T>(what: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw new UpdateIoError(`${what}: ${messageOf(error)}`, { cause: error });
  }
}

interface Preserved {
  readonly file: string;
  /** False when the filesystem has no hard links: the current file must be renamed there. */
  readonly linked: boolean;
}

async function preserveCurrent(context: SwapContext): Promise<Preserved | undefined> {
  const { located, keep, currentSha256 } = context;
  if (located.current === undefined || currentSha256 === undefined || keep === 0) return undefined;
  const dir = versionsDirOf(located.arenaDir, context.target);
  await step(`cannot create the versions folder ${dir}`, () => fs.mkdir(dir, { recursive: true }));
  const file = path.join(dir, keptFileName(currentSha256, context.now, located.path));
  await fs.rm(file, { force: true });
  try {
    await fs.link(located.path, file);
    return { file, linked: true };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (!NO_LINKS.has(code)) throw new UpdateIoError(`cannot keep ${located.path} as ${file}: ${messageOf(error)}`, { cause: error });
    context.logger.debug('no hard links here; the current file is moved into versions instead', { target: context.target, code });
    return { file, linked: false };
  }
}

/** Puts `replacement` (in staging or in versions) at the target's path, keeping the current file. */
async function replace(replacement: string, context: SwapContext): Promise<SwapResult> {
  const { located } = context;
  await step(`cannot create ${path.dirname(located.path)}`, () => fs.mkdir(path.dirname(located.path), { recursive: true }));
  const preserved = await preserveCurrent(context);
  await context.invalidate();
  if (preserved !== undefined && !preserved.linked) {
    await step(`cannot move ${located.path} into ${preserved.file}`, () => fs.rename(located.path, preserved.file));
  }
  try {
    await fs.rename(replacement, located.path);
  } catch (error) {
    // Putting the old file back is a courtesy: should it fail, it is still whole in versions, and the error below says what happened.
    if (preserved !== undefined && !preserved.linked) await fs.rename(preserved.file, located.path).catch(() => undefined);
    throw new UpdateIoError(`cannot rename ${replacement} to ${located.path}: ${messageOf(error)}`, { cause: error });
  }
  await fsyncDir(path.dirname(located.path));
  const versionsDir = versionsDirOf(located.arenaDir, context.target);
  if (preserved !== undefined) await fsyncDir(versionsDir);
  const pruned = await pruneKept(versionsDir, context.keep);
  return { ...(preserved === undefined ? {} : { keptAs: preserved.file }), pruned };
}

/** Installs a verified staged file. */
export function installStaged(staged: string, context: SwapContext): Promise<SwapResult> {
  return replace(staged, context);
}

/** Puts a kept version back; the file it replaces becomes a kept version itself, so the rollback can be undone. */
export function restoreKept(version: KeptVersion, context: SwapContext): Promise<SwapResult> {
  return replace(version.file, { ...context, keep: Math.max(context.keep, 1) });
}
