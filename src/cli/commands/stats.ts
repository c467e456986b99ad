import { formatBytes } from '../../core/byte-size.js';
import { formatDuration } from '../../core/duration.js';
import { ControlClient } from '../../control/control-client.js';
import type { StatsResult } from '../../control/contract/cache.js';
import type { CliCommand } from '../cli-command.js';
import { counted } from '../wording.js';

/**
 * Which counters of `stats` cover what. The ledger keeps hits, misses,
 * evictions and bytes copied across restarts (all time, as long as the state
 * folder lives); copies done and failed are counted by the running daemon;
 * the rest describe the cache as it is now.
 */
const SINCE_DAEMON_START = ['prefetch.completed', 'prefetch.failed'] as const;
const ALL_TIME = ['hits', 'misses', 'hitRatio', 'evictions', 'prefetch.bytesCopied'] as const;

export const statsCommand: CliCommand = {
  path: ['stats'],
  description: 'Hits and misses of real runs, cache use, and prefetch counters, each saying since when it counts.',
  async run({ output, socketPath }) {
    const client = await ControlClient.connect(socketPath);
    let stats: StatsResult;
    let uptimeSeconds: number;
    try {
      stats = await client.request('stats');
      ({ uptimeSeconds } = await client.request('status'));
    } finally {
      client.close();
    }
    if (output.json) {
      const daemonStartedAt = new Date(Date.now() - uptimeSeconds * 1000).toISOString();
      output.document({ ...stats, since: { daemonStartedAt, daemonStart: SINCE_DAEMON_START, allTime: ALL_TIME } });
      return 0;
    }
    const quota = stats.cache.maxBytes > 0 ? ` / ${formatBytes(stats.cache.maxBytes)}` : '';
    // The uptime as status prints it (`up 2h 13m`), so the two read alike.
    output.line(`since arenad started (${formatDuration(uptimeSeconds)} ago):`);
    output.line(`  copies    ${stats.prefetch.completed} done, ${stats.prefetch.failed} failed`);
    output.line('all time:');
    output.line(`  hits      ${stats.hits} of ${counted(stats.hits + stats.misses, 'model load')} (${(stats.hitRatio * 100).toFixed(1)}%)`);
    output.line(`  evictions ${stats.evictions}`);
    output.line(`  copied    ${formatBytes(stats.prefetch.bytesCopied)}`);
    output.line('now:');
    output.line(
      `  cache     ${formatBytes(stats.cache.bytes)}${quota} in ${counted(stats.cache.files, 'file')}, ${formatBytes(stats.cache.freeBytes)} free on the disk`,
    );
    output.line(`  prefetch  ${stats.prefetch.active} copying, ${stats.prefetch.queued} queued`);
    return 0;
  },
};
