/**
 * Adopts the old nodes' cached copies into the daemon's cache tree instead of
 * copying them again: each copy that is byte for byte a library file goes to
 * exactly `<cache.root>/<category>/<name>` (a rename on the same filesystem,
 * a verified copy otherwise) and gets a ledger entry, so that the daemon
 * serves it at once with nothing copied and nothing re-hashed at start.
 *
 * Recovery at the daemon's start removes any file in the tree that it cannot
 * vouch for, so files that match nothing are moved out of the tree's reach,
 * into a dot-folder beside it, rather than left to be deleted.
 */
import { mkdir, readdir, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { CatalogEntry, CatalogView } from '../core/catalog-view.js';
import { categoryName, modelKey } from '../core/categories.js';
import { isInside, type CacheTree } from '../cache/cache-tree.js';
import { copyIntoCache } from '../cache/copier.js';
import { errorCode } from '../cache/fs-errors.js';
import type { LedgerEntry } from '../cache/ledger-entry.js';
import type { Ledger } from '../cache/ledger.js';
import { DigestCache, matchOldFile } from './cache-match.js';
import { MigrationIoError } from './errors.js';
import { scanOldCache, type OldCacheEntry } from './legacy-cache.js';

/** Beside the cache tree, hidden from it: the daemon lists no top-level dot-folder. */
export const UNMATCHED_DIR = '.arena-unmatched';

export type Placement = 'in-place' | 'renamed' | 'copied' | 'already-cached';

export interface AdoptedFile {
  readonly from: string;
  readonly to: string;
  readonly key: string;
  readonly bytes: number;
  readonly how: Placement;
}

export interface UnmatchedFile {
  readonly path: string;
  readonly bytes: number;
  readonly reason: string;
  /** Set when the file sat in the cache tree and was moved aside. */
  readonly movedTo?: string;
}

export interface RemovedFile {
  readonly path: string;
  readonly bytes: number;
  readonly reason: string;
}

export interface AdoptionReport {
  readonly adopted: AdoptedFile[];
  readonly unmatched: UnmatchedFile[];
  readonly removed: RemovedFile[];
  /** Where unmatched files of the tree went; null when none had to move. */
  readonly unmatchedDir: string | null;
}

export interface AdoptionInput {
  /** The old cache folders, in order of preference. */
  readonly oldRoots: readonly string[];
  readonly tree: CacheTree;
  readonly catalog: CatalogView;
  readonly ledger: Ledger;
  readonly dryRun: boolean;
  readonly now: () => number;
}

type OldModel = Extract<OldCacheEntry, { kind: 'model' }>;

interface Match {
  readonly file: OldModel;
  readonly entry: CatalogEntry;
  readonly key: string;
  readonly target: string;
  readonly sha256: string;
}

/** The device of a path, or of its nearest existing ancestor (the target's folders may not exist yet). */
async function deviceOf(target: string): Promise<number> {
  for (let probe = target; ; probe = path.dirname(probe)) {
    try {
      return (await stat(probe)).dev;
    } catch (error) {
      if (errorCode(error) !== 'ENOENT' || path.dirname(probe) === probe) throw error;
    }
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

function ledgerEntryFor(match: Match, cachedAt: number, previous: LedgerEntry | undefined): LedgerEntry {
  return {
    category: match.entry.category,
    name: match.entry.name,
    size: match.file.size,
    sha256: match.sha256,
    sourcePath: match.entry.path,
    sourceSize: match.entry.size,
    sourceMtimeMs: match.entry.mtimeMs,
    cachedAt: previous?.cachedAt ?? cachedAt,
    ...(previous?.lastUsed === undefined ? {} : { lastUsed: previous.lastUsed }),
    hits: previous?.hits ?? 0,
    pinned: previous?.pinned ?? false,
  };
}

/**
 * A file already where the daemon keeps it, whose ledger entry still
 * describes it and its library file: trusted without hashing again, which
 * makes a second run of migrate cheap.
 */
function trustedInPlace(file: OldModel, tree: CacheTree, catalog: CatalogView, ledger: Ledger): Match | undefined {
  if (!isInside(tree.root, file.path)) return undefined;
  const entry = catalog.lookup(file.folder, file.rest);
  if (entry === undefined || tree.pathOf(entry.category, entry.name) !== file.path) return undefined;
  const key = modelKey(entry.category, entry.name)!;
  const known = ledger.get(key);
  const same =
    known?.sha256 !== undefined &&
    known.size === file.size &&
    known.sourcePath === entry.path &&
    known.sourceSize === entry.size &&
    known.sourceMtimeMs === entry.mtimeMs;
  return same ? { file, entry, key, target: file.path, sha256: known.sha256 } : undefined;
}

async function guard<T>(target: string, operation: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof MigrationIoError) throw error;
    throw new MigrationIoError(target, operation, { cause: error });
  }
}

export async function adoptOldCache(input: AdoptionInput): Promise<AdoptionReport> {
  const { tree, catalog, ledger, dryRun } = input;
  const report = { adopted: [] as AdoptedFile[], unmatched: [] as UnmatchedFile[], removed: [] as RemovedFile[] };
  let unmatchedDir: string | null = null;
  const digests = new DigestCache();
  const matches: Match[] = [];
  const strays: Array<{ path: string; bytes: number; reason: string }> = [];
  const leftovers: RemovedFile[] = [];

  for (const root of input.oldRoots) {
    for (const item of await scanOldCache(root)) {
      if (item.kind === 'leftover') {
        leftovers.push({ path: item.path, bytes: item.size, reason: item.reason });
        continue;
      }
      if (item.kind === 'other') {
        strays.push({ path: item.path, bytes: item.size, reason: item.reason });
        continue;
      }
      const trusted = trustedInPlace(item, tree, catalog, ledger);
      if (trusted) {
        matches.push(trusted);
        continue;
      }
      const verdict = await matchOldFile(item, catalog, digests);
      if (verdict.kind === 'unmatched') {
        strays.push({ path: item.path, bytes: item.size, reason: verdict.reason });
        continue;
      }
      const key = modelKey(verdict.entry.category, verdict.entry.name)!;
      matches.push({
        file: item,
        entry: verdict.entry,
        key,
        target: tree.pathOf(verdict.entry.category, verdict.entry.name),
        sha256: verdict.sha256,
      });
    }
  }

  // One copy per model: the one already in place wins, then one filed under the model's own category;
  // the others are duplicates of a library file.
  const rank = (match: Match) => (match.file.path === match.target ? 0 : categoryName(match.file.folder) === match.entry.category ? 1 : 2);
  const claims = new Map<string, Match>();
  const duplicates: Match[] = [];
  for (const match of [...matches].sort((a, b) => rank(a) - rank(b))) {
    if (claims.has(match.key)) duplicates.push(match);
    else claims.set(match.key, match);
  }

  for (const leftover of leftovers) {
    if (!dryRun) await guard(leftover.path, 'remove', () => rm(leftover.path, { recursive: true, force: true }));
    report.removed.push(leftover);
  }
  const setAside = async (stray: { path: string; bytes: number; reason: string }) => {
    if (!isInside(tree.root, stray.path) || stray.path === tree.root) {
      report.unmatched.push(stray);
      return;
    }
    const movedTo = path.join(tree.root, UNMATCHED_DIR, path.relative(tree.root, stray.path));
    if (!dryRun) {
      await guard(movedTo, 'move an unmatched file to', async () => {
        await mkdir(path.dirname(movedTo), { recursive: true });
        await rename(stray.path, movedTo);
      });
    }
    report.unmatched.push({ ...stray, movedTo });
    unmatchedDir = path.join(tree.root, UNMATCHED_DIR);
  };
  for (const stray of strays) await setAside(stray);

  for (const match of claims.values()) {
    const placed = await place(match, input, digests);
    if (placed === 'occupied') {
      await setAside({ path: match.file.path, bytes: match.file.size, reason: `the cache already holds a different file at ${match.target}` });
      continue;
    }
    if (!dryRun) ledger.set(ledgerEntryFor(match, input.now(), ledger.get(match.key)));
    report.adopted.push({ from: match.file.path, to: match.target, key: match.key, bytes: match.file.size, how: placed });
  }
  for (const duplicate of duplicates) {
    if (!dryRun) await guard(duplicate.file.path, 'remove', () => unlink(duplicate.file.path));
    report.removed.push({
      path: duplicate.file.path,
      bytes: duplicate.file.size,
      reason: `a second copy of ${duplicate.key}, which is adopted from ${claims.get(duplicate.key)!.file.path}`,
    });
  }
  if (!dryRun) for (const root of input.oldRoots) await pruneEmptyFolders(root, root);
  return { ...report, unmatchedDir };
}

/** Puts one matched copy at its cache path; `occupied` when another file is already there. */
async function place(match: Match, input: AdoptionInput, digests: DigestCache): Promise<Placement | 'occupied'> {
  const { file, target } = match;
  if (file.path === target) return 'in-place';
  if (await exists(target)) {
    if ((await digests.sha256(target)) !== match.sha256) return 'occupied';
    if (!input.dryRun) await guard(file.path, 'remove', () => unlink(file.path));
    return 'already-cached';
  }
  const sameDevice = (await deviceOf(file.path)) === (await deviceOf(target));
  if (input.dryRun) return sameDevice ? 'renamed' : 'copied';
  if (sameDevice) {
    try {
      await mkdir(path.dirname(target), { recursive: true });
      await rename(file.path, target);
      return 'renamed';
    } catch (error) {
      // A bind mount or an overlay can share a device number and still refuse a rename across it.
      if (errorCode(error) !== 'EXDEV') throw new MigrationIoError(target, 'move a cached copy to', { cause: error });
    }
  }
  await input.tree.ensure();
  await copyIntoCache(input.tree, {
    source: file.path,
    expected: { size: file.size, mtimeMs: file.mtimeMs, sha256: match.sha256 },
    category: match.entry.category,
    name: match.entry.name,
    verify: 'sha256',
  });
  await guard(file.path, 'remove the copied original', () => unlink(file.path));
  return 'copied';
}

/** Removes the folders emptied by the moves (model-type folders such as SDXL/), never the root itself or dot-folders. */
async function pruneEmptyFolders(dir: string, root: string): Promise<boolean> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return false;
  }
  let empty = true;
  for (const entry of entries) {
    if (entry.isDirectory() && !entry.name.startsWith('.') && (await pruneEmptyFolders(path.join(dir, entry.name), root))) continue;
    empty = false;
  }
  if (!empty || dir === root) return false;
  try {
    await rmdir(dir);
    return true;
  } catch {
    return false;
  }
}
