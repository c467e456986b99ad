/**
 * What the kernel says about a process, for telling a lock's holder from a
 * process that was given its pid later. Linux answers through /proc; off
 * Linux each function answers undefined and the caller decides on less.
 */
import { readFileSync } from 'node:fs';

/** Whether a process with this pid exists (EPERM: it does, under another user). */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Field 22 of /proc/PID/stat: start time in clock ticks since boot; undefined off Linux or once the process is gone. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces: count from after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined; // no /proc (macOS), or the process just ended: the caller falls back on the other checks
  }
}

/** When the machine booted (ms since epoch), from /proc/stat; undefined off Linux. */
export function bootTime(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .find((text) => text.startsWith('btime '));
    return line === undefined ? undefined : Number(line.slice(6)) * 1000;
  } catch {
    return undefined; // no /proc: nothing to compare with
  }
}

/** A process's command line, arguments joined by spaces; undefined when it cannot be read. */
export function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return undefined; // no /proc, or another user's process under hidepid: nothing is known
  }
}
