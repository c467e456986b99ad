/**
 * The record of generation runs that really happened, and the models each one
 * read: the ground truth for cache policy (frequency, recency, co-usage, time
 * of day) and for exporting traces.
 *
 * It lives in `<stateDir>/usage.ndjson`, one run per line,
 * `{"t": <ms since epoch>, "runId", "origin", "models": [{"key", "bytes"?}]}`,
 * appended as runs happen. Saved workflows are kept beside them, as
 * `{"t", "type": "save", "origin", "models"}`, so that an exported trace
 * (`arenactl history export --trace`) has the saves the daemon predicted from. The daemon may be killed mid-append: a line that
 * does not parse is skipped with a warning, and the file is rewritten clean.
 * Memory holds the last `retentionMs`; once the file carries as many expired
 * lines as live ones (and at least `compactMinLines`), it is rewritten with
 * only the live runs, by atomic replace.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';
import { messageOf } from '../core/arena-error.js';
import type { Logger } from '../log/logger.js';
import { UsageHistoryError } from './errors.js';

export const USAGE_HISTORY_FILE = 'usage.ndjson';
export const USAGE_HISTORY_DEFAULTS = {
  retentionMs: 30 * 24 * 3_600_000,
  compactMinLines: 10_000,
} as const;

export interface UsedModel {
  /** `category/name`, as `modelKey` makes it. */
  readonly key: string;
  readonly bytes?: number;
}

export interface UsageRun {
  /** ms since epoch when the run was seen. */
  readonly t: number;
  readonly runId: string;
  readonly origin: string;
  readonly models: readonly UsedModel[];
}

/** A workflow saved in ComfyUI, with the models it resolved to. */
export interface UsageSave {
  readonly t: number;
  readonly type: 'save';
  /** The workflow file, as the save watcher names it. */
  readonly origin: string;
  readonly models: readonly UsedModel[];
}

export interface SaveRecord {
  readonly at: number;
  readonly origin: string;
  readonly models: ReadonlyArray<UsedModel>;
}

/** Everything a history file holds, oldest first, and how many lines could not be read. */
export interface HistoryContents {
  readonly runs: UsageRun[];
  readonly saves: UsageSave[];
  readonly skipped: number;
}

type HistoryLine = UsageRun | UsageSave;

export interface RunRecord {
  readonly at: number;
  readonly runId: string;
  readonly origin: string;
  readonly models: ReadonlyArray<UsedModel>;
}

export interface UsageHistoryOptions {
  /** The state directory; the history is `<stateDir>/usage.ndjson`. */
  readonly stateDir: string;
  readonly logger: Logger;
  /** Runs older than this are forgotten. */
  readonly retentionMs?: number;
  /** The file is not compacted before it has this many lines. */
  readonly compactMinLines?: number;
  readonly now?: () => number;
}

const usedModelSchema = z.object({ key: z.string().min(1), bytes: z.number().nonnegative().optional() });
const usageRunSchema = z.object({
  t: z.number().finite(),
  runId: z.string().min(1),
  origin: z.string(),
  models: z.array(usedModelSchema),
});
const usageSaveSchema = z.object({
  t: z.number().finite(),
  type: z.literal('save'),
  origin: z.string(),
  models: z.array(usedModelSchema),
});

export class UsageHistory {
  readonly file: string;
  private readonly logger: Logger;
  private readonly retentionMs: number;
  private readonly compactMinLines: number;
  private readonly now: () => number;
  /** Live runs and saves, in the order they were recorded. */
  private live: HistoryLine[] = [];
  /** Lines in the file, live or expired. */
  private fileLines = 0;
  /** Writes run one at a time, in order. */
  private writes: Promise<void> = Promise.resolve();
  private writeFailing = false;

  private constructor(options: UsageHistoryOptions) {
    this.file = path.join(options.stateDir, USAGE_HISTORY_FILE);
    this.logger = options.logger.child({ module: 'usage-history' });
    this.retentionMs = options.retentionMs ?? USAGE_HISTORY_DEFAULTS.retentionMs;
    this.compactMinLines = options.compactMinLines ?? USAGE_HISTORY_DEFAULTS.compactMinLines;
    this.now = options.now ?? Date.now;
  }

  /**
   * Reads a history file without taking it over: no line is rewritten, so
   * this is safe while a daemon appends to it. A missing file is an empty
   * history; unreadable lines are counted, not fatal.
   */
  static async readFile(file: string): Promise<HistoryContents> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return { runs: [], saves: [], skipped: 0 };
      throw new UsageHistoryError(file, messageOf(error), { cause: error });
    }
    const runs: UsageRun[] = [];
    const saves: UsageSave[] = [];
    let skipped = 0;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const entry = parseLine(line);
      if (entry === undefined) skipped += 1;
      else if (isSave(entry)) saves.push(entry);
      else runs.push(entry);
    }
    return { runs, saves, skipped };
  }

  /** Loads the history (a missing file is an empty one). Throws UsageHistoryError when the file cannot be read. */
  static async open(options: UsageHistoryOptions): Promise<UsageHistory> {
    const history = new UsageHistory(options);
    await history.load();
    return history;
  }

  /**
   * Adds a run. It counts in the queries at once; the promise settles once it
   * is on disk. A write that fails is logged and never thrown: losing a line
   * of history must not stop the daemon.
   */
  record(run: RunRecord): Promise<void> {
    const entry: UsageRun = { t: run.at, runId: run.runId, origin: run.origin, models: run.models.map(copyModel) };
    return this.append(entry);
  }

  /** Adds a saved workflow; like `record`, a failed write is logged, never thrown. */
  recordSave(save: SaveRecord): Promise<void> {
    return this.append({ t: save.at, type: 'save', origin: save.origin, models: save.models.map(copyModel) });
  }

  private append(entry: HistoryLine): Promise<void> {
    this.live.push(entry);
    this.expire();
    return this.write(async () => {
      await appendFile(this.file, `${JSON.stringify(entry)}\n`);
      this.fileLines += 1;
      if (this.fileLines >= this.compactMinLines && this.fileLines >= 2 * this.live.length) await this.compact();
    });
  }

  /** The live runs seen at or after `sinceMs`, oldest first. */
  runs(sinceMs = -Infinity): UsageRun[] {
    this.expire();
    return this.live.filter((entry): entry is UsageRun => !isSave(entry) && entry.t >= sinceMs);
  }

  /** The live saved workflows at or after `sinceMs`, oldest first. */
  saves(sinceMs = -Infinity): UsageSave[] {
    this.expire();
    return this.live.filter((entry): entry is UsageSave => isSave(entry) && entry.t >= sinceMs);
  }

  /** How many runs at or after `sinceMs` used the model. */
  usesOf(key: string, sinceMs = -Infinity): number {
    return this.runs(sinceMs).filter((run) => run.models.some((model) => model.key === key)).length;
  }

  /** When a live run last used the model. */
  lastUsed(key: string): number | undefined {
    let last: number | undefined;
    for (const run of this.runs()) {
      if (run.models.some((model) => model.key === key) && (last === undefined || run.t > last)) last = run.t;
    }
    return last;
  }

  /** Waits for the writes in progress. */
  async flush(): Promise<void> {
    await this.writes;
  }

  private async load(): Promise<void> {
    let text: string;
    try {
      await mkdir(path.dirname(this.file), { recursive: true });
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return;
      throw new UsageHistoryError(this.file, messageOf(error), { cause: error });
    }
    const lines = text.split('\n');
    // A complete file ends with a newline, which leaves one empty string at the end.
    const unterminated = lines.at(-1) !== '';
    let skipped = 0;
    for (const line of lines) {
      if (line.trim() === '') continue;
      const entry = parseLine(line);
      if (entry === undefined) skipped += 1;
      else this.live.push(entry);
    }
    this.fileLines = lines.length - 1;
    this.expire();
    if (skipped > 0) {
      this.logger.warn(`skipped ${skipped} unreadable line(s) of the usage history ${this.file} (a write cut short?); rewriting it without them`);
    }
    // An unterminated last line would glue itself to the next append: rewrite the file clean first.
    if (skipped > 0 || unterminated) await this.write(() => this.compact());
  }

  private expire(): void {
    const cutoff = this.now() - this.retentionMs;
    const first = this.live[0];
    if (first !== undefined && first.t < cutoff) this.live = this.live.filter((entry) => entry.t >= cutoff);
  }

  private async compact(): Promise<void> {
    this.expire();
    const entries = [...this.live];
    await writeFileAtomic(this.file, entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
    this.fileLines = entries.length;
    this.logger.debug('usage history compacted', { entries: entries.length });
  }

  private write(step: () => Promise<void>): Promise<void> {
    this.writes = this.writes.then(step).then(
      () => {
        if (this.writeFailing) this.logger.info('the usage history is written again', { file: this.file });
        this.writeFailing = false;
      },
      (error: unknown) => {
        // Said once until a write succeeds again, so that a full disk does not flood the log.
        if (!this.writeFailing) {
          this.logger.warn(`writing the usage history ${this.file} failed: ${messageOf(error)}; runs are kept in memory only`);
        }
        this.writeFailing = true;
      },
    );
    return this.writes;
  }
}

function parseLine(line: string): HistoryLine | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  const save = usageSaveSchema.safeParse(value);
  if (save.success) return { ...save.data, models: save.data.models.map(copyModel) };
  const parsed = usageRunSchema.safeParse(value);
  if (!parsed.success) return undefined;
  return { ...parsed.data, models: parsed.data.models.map(copyModel) };
}

function isSave(entry: HistoryLine): entry is UsageSave {
  return 'type' in entry && entry.type === 'save';
}

/** Only the known fields, and `bytes` only when known, so that the NDJSON line stays small and stable. */
function copyModel(model: UsedModel): UsedModel {
  return model.bytes === undefined ? { key: model.key } : { key: model.key, bytes: model.bytes };
}
