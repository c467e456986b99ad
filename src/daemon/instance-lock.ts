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

/** When the machine booted (ms since epoch), from /proc/stat; undefined off Linux. */
function bootTime(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .find((text) => text.startsWith('btime '));
    return line === undefined ? undefined : Number(line.slice(6)) * 1000;
  } catch {
    return undefined;
  }
}

/** Whether a running process looks like an arenad, when its command line can be read at all. */
function looksLikeArenad(pid: number): boolean | undefined {
  try {
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    return /arenad|daemon[\\/]main\.[jt]s/.test(commandLine);
  } catch {
    return undefined;
  }
}

/**
 * Whether the holder still runs. Its pid may have been given to another
 * process since (after a crash, or a reboot): with the holder's start time
 * that is certain; without one (a lock written elsewhere than Linux, or by
 * hand), a lock older than the boot, or a pid running something that is
 * not an arenad, is stale, so that start-up is never blocked for good.
 */
function isAlive(holder: LockHolder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (holder.startTime !== undefined) {
    const current = processStartTime(holder.pid);
    return current === undefined || current === holder.startTime;
  }
  const booted = bootTime();
  if (booted !== undefined && holder.since < booted) return false;
  return looksLikeArenad(holder.pid) !== false;
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    return typeof value.pid === 'number' && typeof value.since === 'number' ? (value as LockHolder) : undefined;
  } catch {
    return undefined;
  }
}

/** Creates a folder the daemon needs; a file in its way is a clear error naming the setting, not a raw ENOTDIR. */
export async function ensureFolder(dir: string, key: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST' && code !== 'ENOTDIR' && code !== 'EACCES') throw error;
    const what = code === 'EACCES' ? 'cannot be created by this user (permission denied)' : 'is a file, or lies under one, not a folder';
    throw new ArenaError('E_FOLDER', `${key} ${dir} ${what}; move the file away, or set ${key} to a folder this user can write`, { cause: error });
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

  static async acquire(file: string, folderKey: string): Promise<InstanceLock> {
    await ensureFolder(path.dirname(file), folderKey);
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
