import { mkdir, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';
import { messageOf } from '../core/arena-error.js';
import { modelKey } from '../core/categories.js';
import type { Logger } from '../log/logger.js';
import { PathError } from './errors.js';
import { errorCode } from './fs-errors.js';
import { ledgerEntrySchema, type LedgerEntry } from './ledger-entry.js';

export interface LedgerTotals {
  readonly hits: number;
  readonly misses: number;
  readonly bytesCopied: number;
  readonly evictions: number;
}

export interface LedgerOptions {
  /** The clock for lastUsed and for naming a corrupt file kept aside. */
  now?: () => number;
  /** The longest a change waits before it is written (scheduleFlush). */
  flushDelayMs?: number;
}

const LEDGER_VERSION = 1;
const DEFAULT_FLUSH_DELAY_MS = 2_000;

const count = z.number().int().nonnegative();
const ledgerFileSchema = z.object({
  version: z.literal(LEDGER_VERSION),
  totals: z.object({ hits: count, misses: count, bytesCopied: count, evictions: count }),
  entries: z.array(z.unknown()),
});

type MutableTotals = { -readonly [K in keyof LedgerTotals]: LedgerTotals[K] };

/**
 * The record of what the cache holds (one entry per cached file, keyed by
 * modelKey) and of its counters. It lives in memory and is written to one
 * JSON file by atomic replace (write to a temporary file, fsync, rename), so
 * a crash leaves either the old or the new ledger, never a torn one. Every
 * change schedules a write; flush() writes now, close() at shutdown.
 */
export class Ledger {
  readonly file: string;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly flushDelayMs: number;
  private readonly map = new Map<string, LedgerEntry>();
  private counters: MutableTotals = { hits: 0, misses: 0, bytesCopied: 0, evictions: 0 };
  /** Bumped by every change; the file is current when it was written at this version. */
  private version = 0;
  private writtenVersion = 0;
  private flushChain: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setTimeout> | undefined;

  private constructor(file: string, logger: Logger, options: LedgerOptions) {
    this.file = file;
    this.logger = logger;
    this.now = options.now ?? Date.now;
    this.flushDelayMs = options.flushDelayMs ?? DEFAULT_FLUSH_DELAY_MS;
  }

  /**
   * Reads the ledger file. A missing file gives an empty ledger (the first
   * start). An unreadable or corrupt one also gives an empty ledger, or the
   * entries that were still valid, with a warning, never a failure: start-up
   * recovery rebuilds what it can from the cache tree. A corrupt file is kept
   * aside as `<file>.corrupt-<epoch ms>` for inspection.
   */
  static async load(file: string, logger: Logger, options: LedgerOptions = {}): Promise<Ledger> {
    const ledger = new Ledger(file, logger, options);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') {
        logger.info('No cache ledger yet; starting an empty one', { file });
      } else if (errorCode(error) === 'EISDIR') {
        // Something made a folder of that name: set it aside, so that the ledger can be written again.
        const aside = `${file}.not-a-ledger-${ledger.now()}`;
        // A folder that cannot be moved makes the next ledger write fail, and that failure is reported there.
        await rename(file, aside).catch(() => undefined);
        logger.warn('The cache ledger path was a folder; moved it aside and started an empty ledger, recovery will adopt the cached files', {
          file,
          movedTo: aside,
        });
      } else {
        logger.warn('Could not read the cache ledger; starting an empty one, recovery will adopt the cached files', {
          file,
          err: error,
        });
      }
      return ledger;
    }
    const problem = ledger.restore(text);
    if (problem !== undefined) {
      const aside = `${file}.corrupt-${ledger.now()}`;
      const kept = await rename(file, aside).then(
        () => aside,
        (error: unknown) => `not kept (${messageOf(error)})`,
      );
      logger.warn('The cache ledger was damaged; kept what was valid, recovery will adopt the cached files', {
        file,
        problem,
        keptAside: kept,
        entriesKept: ledger.map.size,
      });
      ledger.markChanged();
    }
    return ledger;
  }

  get(key: string): LedgerEntry | undefined {
    return this.map.get(key);
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  get size(): number {
    return this.map.size;
  }

  /** A snapshot, safe to iterate while entries are removed. */
  entries(): LedgerEntry[] {
    return [...this.map.values()];
  }

  get totals(): LedgerTotals {
    return { ...this.counters };
  }

  /**
   * Adds or replaces the entry under modelKey(entry.category, entry.name),
   * stored in that canonical form (`clip` becomes `text_encoders`).
   */
  set(entry: LedgerEntry): void {
    const key = modelKey(entry.category, entry.name);
    if (key === undefined) throw new PathError(`${entry.category}/${entry.name}`, 'it is not a valid model name');
    const slash = key.indexOf('/');
    this.map.set(key, Object.freeze({ ...entry, category: key.slice(0, slash), name: key.slice(slash + 1) }));
    this.markChanged();
  }

  delete(key: string): boolean {
    const deleted = this.map.delete(key);
    if (deleted) this.markChanged();
    return deleted;
  }

  /** A request served from the cache; with a key, that entry's hits and lastUsed too. */
  recordHit(key?: string): void {
    this.counters.hits += 1;
    const entry = key === undefined ? undefined : this.map.get(key);
    if (key !== undefined && entry !== undefined) {
      this.map.set(key, Object.freeze({ ...entry, hits: entry.hits + 1, lastUsed: this.now() }));
    }
    this.markChanged();
  }

  recordMiss(): void {
    this.counters.misses += 1;
    this.markChanged();
  }

  recordEviction(): void {
    this.counters.evictions += 1;
    this.markChanged();
  }

  addBytesCopied(bytes: number): void {
    this.counters.bytesCopied += bytes;
    this.markChanged();
  }

  /**
   * Writes the ledger if it changed since the last write. Writes never
   * overlap: a flush during a flush waits for it, then writes what is new.
   */
  flush(): Promise<void> {
    // The flush before failed for its own caller; this one writes regardless.
    const run = this.flushChain.catch(() => undefined).then(() => this.writeIfChanged());
    this.flushChain = run;
    return run;
  }

  /**
   * Writes within flushDelayMs. The delay runs from the first unwritten
   * change, not the last, so a steady stream of hits cannot postpone the
   * write forever. A failed write is logged and retried on the next change.
   */
  scheduleFlush(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch((error: unknown) => {
        this.logger.warn('Could not write the cache ledger; will retry on the next change', {
          file: this.file,
          err: error,
        });
      });
    }, this.flushDelayMs);
    // Pending writes must not keep a finished process alive; the daemon calls close() on its way out.
    this.timer.unref?.();
  }

  /** Cancels the scheduled write and writes now. */
  async close(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private markChanged(): void {
    this.version += 1;
    this.scheduleFlush();
  }

  private async writeIfChanged(): Promise<void> {
    if (this.writtenVersion === this.version) return;
    const version = this.version;
    const document = {
      version: LEDGER_VERSION,
      totals: this.counters,
      entries: [...this.map.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, entry]) => entry),
    };
    await mkdir(dirname(this.file), { recursive: true });
    // No mode of its own: the daemon's umask makes it private (daemon/private-modes.ts).
    await writeFileAtomic(this.file, `${JSON.stringify(document, null, 2)}\n`, { fsync: true });
    this.writtenVersion = version;
  }

  /** Fills the ledger from the file's text; returns what was wrong with it, if anything. */
  private restore(text: string): string | undefined {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      return `not valid JSON (${messageOf(error)})`;
    }
    const parsed = ledgerFileSchema.safeParse(data);
    if (!parsed.success) return `unexpected layout (${parsed.error.issues[0]?.message ?? 'invalid'})`;
    this.counters = { ...parsed.data.totals };
    let invalid = 0;
    for (const raw of parsed.data.entries) {
      const entry = ledgerEntrySchema.safeParse(raw);
      const key = entry.success ? modelKey(entry.data.category, entry.data.name) : undefined;
      // An entry must already be in canonical form, or two keys could name one file.
      if (!entry.success || key !== `${entry.data.category}/${entry.data.name}` || this.map.has(key)) {
        invalid += 1;
        continue;
      }
      this.map.set(key, Object.freeze(entry.data));
    }
    return invalid === 0 ? undefined : `${invalid} invalid entr${invalid === 1 ? 'y' : 'ies'} dropped`;
  }
}
