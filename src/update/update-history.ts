/**
 * What the updater changed, one JSON line per install or rollback in
 * `state.dir/updates.ndjson`. Each line is appended and fsynced before the
 * change is reported; a line cut off by a crash is skipped when read.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { historyRecord, type HistoryRecord } from '../control/contract/update.js';
import { messageOf } from '../core/arena-error.js';
import type { Logger } from '../log/logger.js';
import { redactJson } from '../log/redact.js';
import { UpdateIoError } from './errors.js';

// A line of the file is the record `update.history` answers with: it is defined once, in the socket contract.
export type { HistoryRecord } from '../control/contract/update.js';

export class UpdateHistory {
  readonly file: string;
  readonly #logger: Logger;
  #appending: Promise<void> = Promise.resolve();

  constructor(stateDir: string, logger: Logger) {
    this.file = path.join(stateDir, 'updates.ndjson');
    this.#logger = logger;
  }

  /**
   * Appends one record durably; serialised so lines never interleave.
   * Redacted first: its version names and commits come from the hub.
   */
  append(record: HistoryRecord): Promise<void> {
    const line = `${JSON.stringify(historyRecord.parse(redactJson(record)))}\n`;
    const next = this.#appending.then(async () => {
      try {
        await fs.mkdir(path.dirname(this.file), { recursive: true });
        const handle = await fs.open(this.file, 'a');
        try {
          await handle.write(line);
          await handle.sync();
        } finally {
          await handle.close();
        }
      } catch (error) {
        throw new UpdateIoError(`cannot record the change of ${record.target} in ${this.file}: ${messageOf(error)}`, { cause: error });
      }
    });
    // The caller of this append hears of its failure; the chain only keeps the writes in order.
    this.#appending = next.catch(() => undefined);
    return next;
  }

  /** Every record, oldest first, of one target or of all. */
  async list(target?: string): Promise<HistoryRecord[]> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new UpdateIoError(`cannot read the update history ${this.file}: ${messageOf(error)}`, { cause: error });
    }
    const records: HistoryRecord[] = [];
    let skipped = 0;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        const parsed = historyRecord.safeParse(JSON.parse(line));
        if (parsed.success) records.push(parsed.data);
        else skipped += 1;
      } catch {
        // A line cut off by a crash: counted, and reported below.
        skipped += 1;
      }
    }
    if (skipped > 0) this.#logger.warn('skipped unreadable lines of the update history', { file: this.file, lines: skipped });
    return target === undefined ? records : records.filter((record) => record.target === target);
  }

  /**
   * The sha256s that automatic updates must not install again: each version
   * rolled away from since the target's last update (rolling back twice
   * holds back both newer versions).
   */
  async held(target: string): Promise<Set<string>> {
    const held = new Set<string>();
    const records = await this.list(target);
    for (let index = records.length - 1; index >= 0 && records[index]!.action === 'rollback'; index -= 1) {
      const hold = records[index]!.hold;
      if (hold !== undefined) held.add(hold);
    }
    return held;
  }
}
