import type { EventEmitter } from 'node:events';

/**
 * `arenactl config show | head -1`: head exits once it has its line, and the
 * next write finds the pipe closed (EPIPE). The reader went away on purpose,
 * so the command ends there, quietly and with exit 0, whatever it was still
 * doing; without this Node throws the write error as an unhandled 'error'
 * event and prints its stack. Any other failure to write (a full disk behind
 * `> file`) is a real error: one line on stderr, exit 1.
 */
export function endQuietlyWhenReaderLeaves(
  streams: { readonly stdout: EventEmitter; readonly stderr: EventEmitter & { write(text: string): unknown } },
  exit: (code: number) => void,
): void {
  const onError = (stream: 'stdout' | 'stderr') => (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') {
      exit(0);
      return;
    }
    if (stream === 'stdout') streams.stderr.write(`arenactl: cannot write the output: ${error.message}\n`);
    exit(1);
  };
  streams.stdout.on('error', onError('stdout'));
  streams.stderr.on('error', onError('stderr'));
}
