import { z } from 'zod';
import type { CommandDefinition } from '../command-registry.js';
import type { HistoryFileResult } from '../results.js';

/**
 * `history.file`: where the daemon keeps its usage history, once the
 * writes in flight are on disk. arenactl reads the file itself: a month of
 * history would not fit in one reply line.
 */
export function historyFileCommand(file: () => Promise<string>): CommandDefinition<Record<string, never>> {
  return {
    name: 'history.file',
    summary: 'The usage history file (runs and saved workflows), flushed, for arenactl history export.',
    args: z.object({}).strict(),
    run: async (): Promise<HistoryFileResult> => ({ file: await file() }),
  };
}
