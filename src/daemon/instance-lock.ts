import fs from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ArenaError } from '../core/arena-error.js';

/** Another live arenad holds the lock. */
export class InstanceLockedError extends ArenaError {
  constructor(lockFile: string, holder: LockHolder) {
    super(
      'E_LOCKED',
      `another arenad (pid ${holder.pid}, running since ${new Date(holder.since).toISOString()}) already uses ${path.dirname(lockFile)}; stop it first, or give this one its own state.dir and cache.root`,
    );
    this.name = 'InstanceLockedError';
  }
}

interface LockHolder {
  readonly pid: number;
  /** Kernel start time of the process (Linux), so a reused pid is not mistaken for the holder. */
  readonly startTime?: string;
  readonly since: number;
}

/** Field 22 of /proc/PID/stat: start time in clock ticks since boot; undefined off Linux. */
function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces: count from after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

function isAlive(holder: LockHolder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (holder.startTime === undefined) return true;
  const current = processStartTime(holder.pid);
  return current === undefined || current === holder.startTime;
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    return typeof value.pid === 'number' && typeof value.since === 'number' ? (value as LockHolder) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A pid-file lock that survives SIGKILL: the file names its holder, and a
 * holder that is no longer running is taken over at once, so a restart right
 * after a crash is never refused. The file appears atomically through link(),
 * so two daemons starting together cannot both win.
 */
export class InstanceLock {
  readonly file: string;
  readonly #holder: LockHolder;

  private constructor(file: string, holder: LockHolder) {
    this.file = file;
    this.#holder = holder;
  }

  static async acquire(file: string): Promise<InstanceLock> {
    await fs.mkdir(path.dirname(file), { recursive: true });
    const startTime = processStartTime(process.pid);
    const holder: LockHolder = { pid: process.pid, ...(startTime ? { startTime } : {}), since: Date.now() };
    const draft = `${file}.${process.pid}.tmp`;
    await fs.writeFile(draft, `${JSON.stringify(holder)}\n`);
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          await fs.link(draft, file);
          return new InstanceLock(file, holder);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        }
        const existing = parseHolder(await fs.readFile(file, 'utf8').catch(() => ''));
        if (existing && isAlive(existing)) throw new InstanceLockedError(file, existing);
        await fs.rm(file, { force: true });
      }
      throw new ArenaError('E_LOCKED', `could not take the lock ${file}: it keeps reappearing; is another arenad starting?`);
    } finally {
      await fs.rm(draft, { force: true });
    }
  }

  /** Removes the file if it is still ours. */
  async release(): Promise<void> {
    const current = parseHolder(await fs.readFile(this.file, 'utf8').catch(() => ''));
    if (current?.pid === this.#holder.pid && current.since === this.#holder.since) await fs.rm(this.file, { force: true });
  }
}
