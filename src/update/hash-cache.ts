/**
 * The sha256 of local model files, remembered by path, size, mtime and inode
 * in `state.dir/update-hashes.json`, so that a check hashes a multi-gigabyte
 * file on the NAS once, not at every window.
 */
import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';
import { hashFile } from '../cache/hash-file.js';
import { messageOf } from '../core/arena-error.js';
import type { Logger } from '../log/logger.js';

const recordSchema = z.object({ size: z.number(), mtimeMs: z.number(), ino: z.number(), sha256: z.string() });
const fileSchema = z.object({ version: z.literal(1), files: z.record(recordSchema) });

type HashRecord = z.infer<typeof recordSchema>;

/** Enough for a large library; the least recently hashed paths go first. */
const MAX_RECORDS = 20_000;

export type FileIdentity = Pick<Stats, 'size' | 'mtimeMs' | 'ino'>;

export class HashCache {
  readonly #file: string;
  readonly #logger: Logger;
  readonly #records: Map<string, HashRecord>;
  #saving: Promise<void> = Promise.resolve();

  private constructor(file: string, records: Map<string, HashRecord>, logger: Logger) {
    this.#file = file;
    this.#records = records;
    this.#logger = logger;
  }

  static async open(stateDir: string, logger: Logger): Promise<HashCache> {
    const file = path.join(stateDir, 'update-hashes.json');
    let records = new Map<string, HashRecord>();
    try {
      const parsed = fileSchema.safeParse(JSON.parse(await fs.readFile(file, 'utf8')));
      if (parsed.success) records = new Map(Object.entries(parsed.data.files));
      else logger.warn('the hash cache has an unknown shape; starting it afresh', { file });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        logger.warn('cannot read the hash cache; starting it afresh', { file, err: messageOf(error) });
    }
    return new HashCache(file, records, logger);
  }

  /** The remembered hash when the file is still the one that was hashed. */
  get(file: string, identity: FileIdentity): string | undefined {
    const record = this.#records.get(file);
    if (record === undefined) return undefined;
    return record.size === identity.size && record.mtimeMs === identity.mtimeMs && record.ino === identity.ino ? record.sha256 : undefined;
  }

  /** The file's sha256: remembered, or streamed now and remembered. */
  async sha256(file: string, options: { signal?: AbortSignal } = {}): Promise<{ sha256: string; identity: Stats; cached: boolean }> {
    const before = await fs.stat(file);
    const known = this.get(file, before);
    if (known !== undefined) return { sha256: known, identity: before, cached: true };
    const { sha256 } = await hashFile(file, options);
    const after = await fs.stat(file);
    // A file rewritten while it was read has no hash worth remembering.
    if (after.size === before.size && after.mtimeMs === before.mtimeMs && after.ino === before.ino) await this.remember(file, after, sha256);
    return { sha256, identity: after, cached: false };
  }

  async remember(file: string, identity: FileIdentity, sha256: string): Promise<void> {
    this.#records.delete(file);
    this.#records.set(file, { size: identity.size, mtimeMs: identity.mtimeMs, ino: identity.ino, sha256 });
    while (this.#records.size > MAX_RECORDS) this.#records.delete(this.#records.keys().next().value!);
    await this.#save();
  }

  /** Saves one at a time, each the latest state, by atomic replace. */
  #save(): Promise<void> {
    this.#saving = this.#saving.then(async () => {
      try {
        await fs.mkdir(path.dirname(this.#file), { recursive: true });
        await writeFileAtomic(this.#file, JSON.stringify({ version: 1, files: Object.fromEntries(this.#records) }));
      } catch (error) {
        this.#logger.warn('cannot save the hash cache; files will be hashed again', { file: this.#file, err: messageOf(error) });
      }
    });
    return this.#saving;
  }
}
