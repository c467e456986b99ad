import type { Command } from 'commander';
import { formatBytes, parseByteSize } from '../../core/byte-size.js';
import { ControlClient } from '../../control/control-client.js';
import type { TrimResult } from '../../control/contract/cache.js';
import type { CliCommand } from '../cli-command.js';
import { UsageError } from '../cli-errors.js';
import { formatTable } from '../output.js';
import { counted } from '../wording.js';

interface TrimOptions {
  readonly dryRun?: boolean;
  readonly to?: string;
}

/** The daemon's quota settings and the cache as it was before the trim. */
interface CacheBefore {
  readonly bytes: number;
  readonly maxBytes: number;
  readonly lowWater: number;
  readonly minFreeBytes: number;
}

/** Why the trim aims where it does, in the words of the configuration. */
function targetReason(target: number, toFlag: boolean, before: CacheBefore): string {
  if (toFlag) return '--to';
  // The daemon aims at the low-water mark unless the disk's free space asks for less.
  if (before.maxBytes > 0 && target >= Math.floor(before.maxBytes * before.lowWater)) {
    return `low water, ${Math.round(before.lowWater * 100)}% of ${formatBytes(before.maxBytes)}`;
  }
  return `to keep ${formatBytes(before.minFreeBytes)} free on the disk, cache.minFreeBytes`;
}

/** `nothing to trim: ...`, saying what the cache is measured against. */
function nothingToTrim(before: CacheBefore): string {
  if (before.maxBytes === 0) {
    return (
      `nothing to trim: the cache (${formatBytes(before.bytes)}) has no size quota (cache.maxBytes is 0); ` +
      `it is trimmed only when the disk has less than ${formatBytes(before.minFreeBytes)} free (cache.minFreeBytes)`
    );
  }
  const lowWaterBytes = Math.floor(before.maxBytes * before.lowWater);
  return (
    `nothing to trim: the cache (${formatBytes(before.bytes)}) is already under its target of ${formatBytes(lowWaterBytes)} ` +
    `(low water, ${Math.round(before.lowWater * 100)}% of ${formatBytes(before.maxBytes)})`
  );
}

/** The quota settings of the running daemon (its own configuration, not this shell's), and the cache's size now. */
async function cacheBefore(client: ControlClient): Promise<CacheBefore> {
  const { cache } = await client.request('status');
  const lowWater = (await client.request('config.show')).config.cache?.lowWater;
  return {
    bytes: cache.bytes ?? 0,
    maxBytes: cache.maxBytes,
    lowWater: typeof lowWater === 'number' ? lowWater : 0,
    minFreeBytes: cache.minFreeBytes ?? 0,
  };
}

export const trimCommand: CliCommand<TrimOptions> = {
  path: ['trim'],
  description: 'Remove the least valuable models from the SSD now, down to --to or the low-water mark; --dry-run lists them and why.',
  configure(command: Command) {
    command.option('--dry-run', 'only list what would be removed, and why').option('--to <bytes>', 'trim down to this size (500GB, 1.5TiB, bytes)');
  },
  async run({ options, output, socketPath }) {
    let toBytes: number | undefined;
    if (options.to !== undefined) {
      toBytes = parseByteSize(options.to);
      if (toBytes === undefined || toBytes < 0) throw new UsageError(`--to ${options.to}: expected a size such as 50GB, 1.5TiB or a number of bytes`);
    }
    const client = await ControlClient.connect(socketPath);
    let before: CacheBefore;
    let result: TrimResult;
    try {
      before = await cacheBefore(client);
      result = await client.request('trim', { dryRun: options.dryRun === true, ...(toBytes === undefined ? {} : { toBytes }) });
    } finally {
      client.close();
    }
    if (output.json) {
      output.document(result);
      return 0;
    }
    if (result.evicted.length === 0 && toBytes === undefined) {
      output.line(nothingToTrim(before));
      return 0;
    }
    if (result.evicted.length === 0) {
      output.line(`nothing to trim: the cache (${formatBytes(before.bytes)}) is already under ${formatBytes(result.targetBytes)} (--to)`);
      return 0;
    }
    const what = `${counted(result.evicted.length, 'model')}, ${formatBytes(result.freedBytes)}`;
    const aim = `to trim the cache to ${formatBytes(result.targetBytes)} (${targetReason(result.targetBytes, toBytes !== undefined, before)})`;
    output.line(`${result.dryRun ? 'would remove' : 'removed'} ${what}, ${aim}:`);
    const rows = result.evicted.map((entry) => [`${entry.category}/${entry.name}`, formatBytes(entry.bytes), entry.reason]);
    for (const line of formatTable(rows)) output.line(`  ${line}`);
    return 0;
  },
};
