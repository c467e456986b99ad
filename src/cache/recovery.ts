import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { messageOf } from '../core/arena-error.js';
import { modelKey } from '../core/categories.js';
import type { Logger } from '../log/logger.js';
import type { CacheTree, CachedFile } from './cache-tree.js';
import type { VerifyMode } from './copier.js';
import { PathError } from './errors.js';
import { hashFile } from './hash-file.js';
import type { LedgerEntry } from './ledger-entry.js';
import type { Ledger } from './ledger.js';
import { unlinkAndPrune, type CacheChange } from './removal.js';

/** The library file that a cached copy of category/name should match. */
export interface SourceFile {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

export interface RecoveryInput {
  tree: CacheTree;
  ledger: Ledger;
  /** The library's file for a canonical category and normalised name, if it has one. */
  lookupSource(category: string, name: string): SourceFile | undefined;
  /** With `sha256`, an unknown file is adopted only when it hashes the same as its library file. */
  verify: VerifyMode;
  logger: Logger;
  /** Stops a long verification at shutdown; the promise then rejects with the abort reason. */
  signal?: AbortSignal;
}

export interface RecoveryReport {
  /** Partial copies found in staging and deleted. */
  stagingRemoved: number;
  /** Keys of cached files the ledger lacked, verified and now in the ledger. */
  adopted: string[];
  /** Cached files deleted (with their entries, if any). */
  removed: CacheChange[];
  /** Ledger entries dropped because their file is gone. */
  dropped: CacheChange[];
}

/**
 * Makes the ledger and the cache tree agree, once, at start-up, before any
 * copy runs:
 *   - staging is emptied: whatever is there is a copy that was interrupted;
 *   - an entry whose file is missing is dropped; one whose file has another
 *     size is not trusted, and its file is judged like an unknown one below
 *     (adopted again, with the entry's hits and pin, when it matches);
 *   - a file the ledger lacks (the daemon died between the rename and the
 *     ledger write, or a user dropped it there) is adopted if the library
 *     has the same category/name with the same size and, with `sha256`, the
 *     same content; otherwise it is removed, because nothing vouches for it.
 * The ledger is flushed at the end.
 */
export async function reconcileCache(input: RecoveryInput): Promise<RecoveryReport> {
  const { tree, ledger, logger } = input;
  await tree.ensure();
  const report: RecoveryReport = {
    stagingRemoved: await emptyStaging(tree, logger),
    adopted: [],
    removed: [],
    dropped: [],
  };
  const unknown = new Map((await tree.listFiles()).map((file) => [file.path, file]));
  /** Files whose entry disagreed with them: judged like unknown files, keeping the entry's counters if adopted. */
  const reentered = new Map<string, LedgerEntry>();

  for (const entry of ledger.entries()) {
    const key = `${entry.category}/${entry.name}`;
    let path: string;
    try {
      path = await tree.confinedPathOf(entry.category, entry.name);
    } catch (error) {
      if (!(error instanceof PathError)) throw error;
      ledger.delete(key);
      report.dropped.push({ key, reason: messageOf(error) });
      continue;
    }
    const file = unknown.get(path);
    if (file === undefined) {
      ledger.delete(key);
      report.dropped.push({ key, reason: 'the cached file is missing' });
    } else if (file.size !== entry.size) {
      // The entry is what is wrong as often as the file (a ledger written by hand, or damaged): judge the file
      // against the library like any unknown one, and keep what the entry knew if it is good.
      ledger.delete(key);
      reentered.set(path, entry);
      logger.info('A cached file does not match its ledger entry; checking it against the library', {
        key,
        bytes: file.size,
        ledgerBytes: entry.size,
      });
    } else {
      unknown.delete(path);
    }
  }

  for (const file of unknown.values()) {
    input.signal?.throwIfAborted();
    const verdict = await judgeUnknownFile(file, input);
    if ('entry' in verdict) {
      const previous = reentered.get(file.path);
      ledger.set(
        previous === undefined
          ? verdict.entry
          : {
              ...verdict.entry,
              hits: previous.hits,
              pinned: previous.pinned,
              ...(previous.lastUsed === undefined ? {} : { lastUsed: previous.lastUsed }),
            },
      );
      report.adopted.push(verdict.key);
    } else {
      await unlinkAndPrune(tree, file.path);
      report.removed.push({ key: verdict.key, reason: verdict.reason });
    }
  }

  await ledger.flush();
  for (const change of report.removed) logger.info('Removed a cached file at start-up', { ...change });
  for (const change of report.dropped) logger.info('Dropped a cache ledger entry at start-up', { ...change });
  logger.info('Cache reconciled with its ledger', {
    stagingRemoved: report.stagingRemoved,
    adopted: report.adopted.length,
    removed: report.removed.length,
    dropped: report.dropped.length,
    entries: ledger.size,
  });
  return report;
}

/** Deletes everything in staging; returns how many entries it removed. */
async function emptyStaging(tree: CacheTree, logger: Logger): Promise<number> {
  let removed = 0;
  for (const name of await readdir(tree.stagingDir)) {
    try {
      await rm(join(tree.stagingDir, name), { recursive: true, force: true });
      removed += 1;
    } catch (error) {
      // A leftover partial copy is invisible to ComfyUI; failing start-up over it would help nobody.
      logger.warn('Could not remove a partial copy from staging', { path: join(tree.stagingDir, name), err: error });
    }
  }
  return removed;
}

type Verdict = { key: string; entry: LedgerEntry } | { key: string; reason: string };

async function judgeUnknownFile(file: CachedFile, input: RecoveryInput): Promise<Verdict> {
  const key = modelKey(file.category, file.name);
  const label = key ?? `${file.category}/${file.name}`;
  if (key === undefined) return { key: label, reason: 'its name is not a valid model name' };
  let canonicalPath: string;
  try {
    canonicalPath = input.tree.pathOf(file.category, file.name);
  } catch (error) {
    if (!(error instanceof PathError)) throw error;
    return { key, reason: messageOf(error) };
  }
  // `clip/x` for `text_encoders/x`, or a backslash inside a file name: ComfyUI would not look there.
  if (canonicalPath !== file.path) return { key, reason: `it is not at the cache path of ${key}` };

  const slash = key.indexOf('/');
  const category = key.slice(0, slash);
  const name = key.slice(slash + 1);
  const source = input.lookupSource(category, name);
  if (source === undefined) return { key, reason: 'the library has no such model' };
  if (source.size !== file.size) {
    return { key, reason: `it has ${file.size} bytes, the library file has ${source.size}` };
  }

  let sha256: string | undefined;
  if (input.verify === 'sha256') {
    const options = input.signal ? { signal: input.signal } : {};
    try {
      const [cached, library] = await Promise.all([hashFile(file.path, options), hashFile(source.path, options)]);
      if (cached.sha256 !== library.sha256 || cached.size !== library.size) {
        return { key, reason: 'its content differs from the library file' };
      }
      sha256 = cached.sha256;
    } catch (error) {
      input.signal?.throwIfAborted();
      return { key, reason: `it could not be verified against the library (${messageOf(error)})` };
    }
  }
  return {
    key,
    entry: {
      category,
      name,
      size: file.size,
      ...(sha256 === undefined ? {} : { sha256 }),
      sourcePath: source.path,
      sourceSize: source.size,
      sourceMtimeMs: source.mtimeMs,
      cachedAt: file.mtimeMs,
      hits: 0,
      pinned: false,
    },
  };
}
