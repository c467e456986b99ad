import { formatBytes } from '../../core/byte-size.js';
import type { StatsResult } from '../../control/results.js';
import type { CliCommand } from '../cli-command.js';
import { requestDaemon } from '../daemon-request.js';

export const statsCommand: CliCommand = {
  path: ['stats'],
  description: 'Hits and misses of real runs, cache use, and prefetch counters.',
  async run({ output, socketPath }) {
    const stats = await requestDaemon<StatsResult>(socketPath, 'stats');
    if (output.json) {
      output.document(stats);
      return 0;
    }
    const quota = stats.cache.maxBytes > 0 ? ` of ${formatBytes(stats.cache.maxBytes)}` : '';
    output.line(`hits      ${stats.hits} of ${stats.hits + stats.misses} model loads (${(stats.hitRatio * 100).toFixed(1)}%)`);
    output.line(`cache     ${formatBytes(stats.cache.bytes)}${quota} in ${stats.cache.files} files, ${formatBytes(stats.cache.freeBytes)} free on the disk`);
    output.line(
      `prefetch  ${stats.prefetch.active} copying, ${stats.prefetch.queued} queued, ${stats.prefetch.completed} done, ${stats.prefetch.failed} failed, ${formatBytes(stats.prefetch.bytesCopied)} copied in all`,
    );
    output.line(`evictions ${stats.evictions}`);
    return 0;
  },
};
