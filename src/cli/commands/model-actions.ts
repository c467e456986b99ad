import type { Command } from 'commander';
import { formatBytes } from '../../core/byte-size.js';
import type { PrefetchOutcomeResult } from '../../control/results.js';
import type { CliCommand } from '../cli-command.js';
import { requestDaemon } from '../daemon-request.js';
import { parseModelArgument } from '../model-arguments.js';

interface ModelOptions {
  readonly force?: boolean;
}

function modelCommand(
  name: 'pin' | 'unpin' | 'evict',
  description: string,
  describe: (key: string, result: Record<string, unknown>) => string,
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
      const result = await requestDaemon<Record<string, unknown>>(socketPath, name, { key, ...(options.force ? { force: true } : {}) });
      if (output.json) output.document(result);
      else output.line(describe(String(result.key ?? key), result));
      return 0;
    },
  };
}

export const pinCommand = modelCommand('pin', 'Keep CATEGORY/NAME on the SSD (copied now if it is not there; never evicted).', (key, result) => {
  const outcome = result as unknown as PrefetchOutcomeResult;
  if (outcome.status === 'skipped') return `${key} is pinned, but cannot be cached: ${outcome.message ?? outcome.reason ?? ''}`;
  if (outcome.status === 'wanted') return `pinned ${key}: ${outcome.message ?? 'it is copied once it lands'}`;
  return outcome.status === 'cached' ? `pinned ${key}` : `pinned ${key}; it is ${outcome.status} and stays once copied`;
});

export const unpinCommand = modelCommand('unpin', 'Let CATEGORY/NAME be evicted again.', (key) => `unpinned ${key}`);

export const evictCommand = modelCommand(
  'evict',
  'Remove CATEGORY/NAME from the SSD now; ComfyUI loads it from the NAS again. A pinned model needs --force.',
  (key, result) => `evicted ${key} (${formatBytes(Number(result.bytes ?? 0))} freed)`,
  (command) => command.option('--force', 'evict it even if it is pinned'),
);
