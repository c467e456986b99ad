import { z } from 'zod';
import type { CatalogEntry } from '../core/catalog-view.js';
import type { CopyRequest, CopyResult } from './copier.js';

/** What the ledger knows of one cached copy. */
export interface LedgerEntry {
  /** Canonical category and normalised name: modelKey(category, name) is the entry's key. */
  readonly category: string;
  readonly name: string;
  /** Bytes of the cached copy. */
  readonly size: number;
  /** Present when the copy was hashed (verify `sha256`). */
  readonly sha256?: string;
  /** The library file it was copied from, as the catalog saw it then. */
  readonly sourcePath: string;
  readonly sourceSize: number;
  readonly sourceMtimeMs: number;
  /** Epoch ms when the copy was placed (or adopted). */
  readonly cachedAt: number;
  readonly lastUsed?: number;
  readonly hits: number;
  readonly pinned: boolean;
}

const count = z.number().int().nonnegative();
const epochMs = z.number().finite().nonnegative();

/** The persisted form of an entry; the ledger file is checked against it on load. */
export const ledgerEntrySchema = z
  .object({
    category: z.string().min(1),
    name: z.string().min(1),
    size: count,
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
    sourcePath: z.string().min(1),
    sourceSize: count,
    sourceMtimeMs: epochMs,
    cachedAt: epochMs,
    lastUsed: epochMs.optional(),
    hits: count,
    pinned: z.boolean(),
  })
  .strip();

/**
 * The entry for a finished copy. A re-copy (the library file was updated)
 * keeps the previous entry's pin and usage, which belong to the model and
 * not to one version of its file.
 */
export function entryForCopy(request: CopyRequest, result: CopyResult, cachedAt: number, previous?: LedgerEntry): LedgerEntry {
  return {
    category: result.category,
    name: result.name,
    size: result.size,
    ...(result.sha256 === undefined ? {} : { sha256: result.sha256 }),
    sourcePath: request.source,
    sourceSize: request.expected.size,
    sourceMtimeMs: request.expected.mtimeMs,
    cachedAt,
    ...(previous?.lastUsed === undefined ? {} : { lastUsed: previous.lastUsed }),
    hits: previous?.hits ?? 0,
    pinned: previous?.pinned ?? false,
  };
}

/** Whether a cached copy was taken from this library file as it is now: same path, size and mtime. */
export function sameSource(entry: LedgerEntry, source: CatalogEntry): boolean {
  return entry.sourcePath === source.path && entry.sourceSize === source.size && entry.sourceMtimeMs === source.mtimeMs;
}
