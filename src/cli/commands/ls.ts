import { formatBytes } from '../../core/byte-size.js';
import { formatDuration } from '../../core/duration.js';
import type { LsEntry } from '../../control/contract/cache.js';
import type { CliCommand } from '../cli-command.js';
import { requestDaemon } from '../daemon-request.js';
import { formatTable } from '../output.js';

function stateOf(entry: LsEntry): string {
  if (entry.state === 'copying' && entry.bytes) return `copying ${Math.floor(((entry.bytesCopied ?? 0) / entry.bytes) * 100)}%`;
  return entry.state;
}

export const lsCommand: CliCommand = {
  path: ['ls'],
  description: 'List the models on the SSD with the reason each is kept, and those being copied or queued.',
  async run({ output, socketPath }) {
    const result = await requestDaemon(socketPath, 'ls');
    if (output.json) {
      output.document(result);
      return 0;
    }
    if (result.entries.length === 0) {
      output.line('the cache is empty and nothing is queued');
      return 0;
    }
    const now = Date.now();
    const rows = result.entries.map((entry) => [
      stateOf(entry),
      entry.key,
      entry.bytes === null ? '?' : formatBytes(entry.bytes),
      entry.pinned ? 'pinned' : '',
      String(entry.hits),
      entry.lastUsed === null ? '-' : `${formatDuration((now - entry.lastUsed) / 1000)} ago`,
      entry.waiting ?? entry.reason ?? '',
    ]);
    for (const line of formatTable([['STATE', 'MODEL', 'SIZE', 'PIN', 'HITS', 'LAST USED', 'WHY'], ...rows])) output.line(line);
    return 0;
  },
};
