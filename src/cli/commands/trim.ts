import type { Command } from 'commander';
import { formatBytes, parseByteSize } from '../../core/byte-size.js';
import type { TrimResultBody } from '../../control/results.js';
import type { CliCommand } from '../cli-command.js';
import { UsageError } from '../cli-errors.js';
import { requestDaemon } from '../daemon-request.js';
import { formatTable } from '../output.js';

interface TrimOptions {
  readonly dryRun?: boolean;
  readonly to?: string;
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
    const result = await requestDaemon<TrimResultBody>(socketPath, 'trim', { dryRun: options.dryRun === true, ...(toBytes === undefined ? {} : { toBytes }) });
    if (output.json) {
      output.document(result);
      return 0;
    }
    if (result.evicted.length === 0) {
      output.line(`nothing to trim: the cache is already within ${formatBytes(result.targetBytes)}`);
      return 0;
    }
    const verb = result.dryRun ? 'would remove' : 'removed';
    const count = result.evicted.length === 1 ? '1 model' : `${result.evicted.length} models`;
    output.line(`${verb} ${count}, ${formatBytes(result.freedBytes)}, to reach ${formatBytes(result.targetBytes)}:`);
    const rows = result.evicted.map((entry) => [`${entry.category}/${entry.name}`, formatBytes(entry.bytes), entry.reason]);
    for (const line of formatTable(rows)) output.line(`  ${line}`);
    return 0;
  },
};
