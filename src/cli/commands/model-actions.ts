import type { Command } from 'commander';
import { formatBytes } from '../../core/byte-size.js';
import type { CliCommand } from '../cli-command.js';
import { requestDaemon } from '../daemon-request.js';
import { parseModelArgument } from '../model-arguments.js';

interface ModelOptions {
  readonly force?: boolean;
}

/** One model named on the command line, asked of the daemon, its answer printed as it is (--json) or as one line. */
function modelCommand<Result extends { readonly key?: string }>(
  name: 'pin' | 'unpin' | 'evict',
  description: string,
  ask: (socketPath: string, key: string, options: ModelOptions) => Promise<Result>,
  describe: (key: string, result: Result) => string,
  configure?: (command: Command) => void,
): CliCommand<ModelOptions> {
  return {
    path: [name],
    description,
    arguments: '<model>',
    ...(configure === undefined ? {} : { configure }),
    async run({ args, options, output, socketPath }) {
      const { category, name: model } = parseModelArgument(args[0]!);
      const key = `${category}/${model}`;
      const result = await ask(socketPath, key, options);
      if (output.json) output.document(result);
      else output.line(describe(result.key ?? key, result));
      return 0;
    },
  };
}

export const pinCommand = modelCommand(
  'pin',
  'Keep CATEGORY/NAME on the SSD (copied now if it is not there; never evicted).',
  (socketPath, key) => requestDaemon(socketPath, 'pin', { key }),
  (key, outcome) => {
    if (outcome.status === 'skipped') return `${key} is pinned, but cannot be cached: ${outcome.message ?? outcome.reason ?? ''}`;
    if (outcome.status === 'wanted') return `pinned ${key}: ${outcome.message ?? 'it is copied once it lands'}`;
    return outcome.status === 'cached' ? `pinned ${key}` : `pinned ${key}; it is ${outcome.status} and stays once copied`;
  },
);

export const unpinCommand = modelCommand(
  'unpin',
  'Let CATEGORY/NAME be evicted again.',
  (socketPath, key) => requestDaemon(socketPath, 'unpin', { key }),
  (key) => `unpinned ${key}`,
);

export const evictCommand = modelCommand(
  'evict',
  'Remove CATEGORY/NAME from the SSD now; ComfyUI loads it from the NAS again. A pinned model needs --force.',
  (socketPath, key, options) => requestDaemon(socketPath, 'evict', { key, ...(options.force ? { force: true } : {}) }),
  (key, result) => `evicted ${key} (${formatBytes(result.bytes)} freed)`,
  (command) => command.option('--force', 'evict it even if it is pinned'),
);
