/**
 * Whether a file descriptor writes to the journal. systemd sets
 * `$JOURNAL_STREAM` to the `device:inode` of the stream it connects a
 * service's output to; the variable is inherited by every child, so a shell
 * opened from a service (a terminal emulator started by the user's systemd,
 * a test agent) carries it while its output goes elsewhere. Only a matching
 * descriptor counts, as sd_journal_stream_fd(3) advises.
 */
import fs from 'node:fs';

function parseJournalStream(value: string | undefined): { dev: bigint; ino: bigint } | undefined {
  const match = /^(\d+):(\d+)$/.exec(value ?? '');
  return match ? { dev: BigInt(match[1]!), ino: BigInt(match[2]!) } : undefined;
}

export function writesToJournal(env: NodeJS.ProcessEnv, fd: number | undefined): boolean {
  const stream = parseJournalStream(env.JOURNAL_STREAM);
  if (!stream || fd === undefined) return false;
  try {
    const stat = fs.fstatSync(fd, { bigint: true });
    return stat.dev === stream.dev && stat.ino === stream.ino;
  } catch {
    return false;
  }
}

/** Whether a descriptor is that very file already (`arenad 2>>arenad.log`, or launchd's StandardErrorPath). */
export function isSameFile(fd: number | undefined, file: string): boolean {
  if (fd === undefined) return false;
  try {
    const open = fs.fstatSync(fd, { bigint: true });
    const named = fs.statSync(file, { bigint: true });
    return open.dev === named.dev && open.ino === named.ino;
  } catch {
    return false;
  }
}
