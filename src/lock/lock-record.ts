/**
 * What a lock file says about its holder, and whether that holder still
 * runs. A pid alone is weak evidence: after a crash or a reboot the pid may
 * belong to some other process. So the holder writes its kernel start time
 * too, and a lock whose pid now runs a process started at another time is
 * stale. A lock without one (written off Linux, by an older version, or by
 * hand) is stale when it predates the boot, or when its pid runs something
 * its user does not recognise, so that a start is never blocked for good.
 */
import { bootTime, commandLine, pidExists, processStartTime } from './process-identity.js';

export interface LockRecord {
  readonly pid: number;
  /** Kernel start time of the process (Linux), so a reused pid is not mistaken for the holder. */
  readonly startTime?: string;
  /** When it took the lock, ms since epoch. */
  readonly since?: number;
  /** Which program holds it (`arenad`, `arenactl`), for the message another one gets. */
  readonly holder?: string;
}

/** This process, as it records itself in a lock it takes. */
export function ownRecord(holder: string | undefined, now: number): LockRecord {
  const startTime = processStartTime(process.pid);
  return { pid: process.pid, ...(startTime === undefined ? {} : { startTime }), since: now, ...(holder === undefined ? {} : { holder }) };
}

/** The record in a lock file's text; undefined when it is not one (empty, cut short, edited by hand). */
export function parseRecord(text: string): LockRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined; // not JSON: no holder can be named, so the file counts as stale
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { pid, startTime, since, holder } = value as Record<string, unknown>;
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return undefined;
  return {
    pid,
    ...(typeof startTime === 'string' ? { startTime } : {}),
    ...(typeof since === 'number' ? { since } : {}),
    ...(typeof holder === 'string' ? { holder } : {}),
  };
}

/**
 * Whether the holder still runs. `recognise` matches the command line of
 * the program that takes this lock; with it, a lock without a start time
 * whose pid runs another program is stale. Without it, any live pid counts.
 */
export function holderRuns(record: LockRecord, recognise?: RegExp): boolean {
  if (!pidExists(record.pid)) return false;
  if (record.startTime !== undefined) {
    const current = processStartTime(record.pid);
    return current === undefined || current === record.startTime;
  }
  const booted = bootTime();
  if (booted !== undefined && record.since !== undefined && record.since < booted) return false;
  if (recognise === undefined) return true;
  const command = commandLine(record.pid);
  return command === undefined || recognise.test(command);
}
