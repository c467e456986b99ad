import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { formatBytes, parseByteSize } from '../../core/byte-size.js';
import { messageOf } from '../../core/arena-error.js';
import { POLICIES, parseTrace, simulate, TraceError, type PolicyName, type SimulationReport } from '../../core/simulate/index.js';
import type { CliCommand } from '../cli-command.js';
import { UsageError } from '../cli-errors.js';

interface SimulateOptions {
  readonly trace?: string;
  readonly capacity?: string;
  readonly policy?: string;
  readonly bandwidth?: string;
  readonly concurrency?: string;
  readonly pin: string[];
}

/** `64GB`, or with `--bandwidth`, `500MB/s`: a size, optionally per second. */
function sizeOption(flag: string, text: string | undefined, perSecond = false): number {
  if (text === undefined) throw new UsageError(`${flag} is required: a size such as 64GB, 1.5TiB or a number of bytes`);
  const size = parseByteSize(perSecond ? text.replace(/\/s$/i, '') : text);
  if (size === undefined || size <= 0) {
    throw new UsageError(
      `${flag} ${text}: expected a size above 0 such as ${perSecond ? '500MB/s, 1GB/s or bytes per second' : '64GB, 1.5TiB or a number of bytes'}`,
    );
  }
  return size;
}

function policyOption(text: string | undefined): PolicyName {
  const policy = POLICIES.find((name) => name === text);
  if (policy === undefined) throw new UsageError(`--policy ${text ?? '(missing)'}: expected one of ${POLICIES.join(', ')}`);
  return policy;
}

function concurrencyOption(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`--concurrency ${text}: expected a whole number of copies, 1 or more`);
  return value;
}

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}

export const simulateCommand: CliCommand<SimulateOptions> = {
  path: ['simulate'],
  description:
    "Replay a usage trace (NDJSON) against a cache of --capacity with Arena's policy, LRU or Belady, and report hit ratios and bytes copied.",
  configure(command: Command) {
    command
      .option('--trace <file>', 'the trace: one event a line, {"t", "type": "save"|"run", "workflow", "models": [{"key", "bytes"}]}')
      .option('--capacity <bytes>', 'the cache quota (64GB, 1.5TiB, bytes)')
      .option('--policy <name>', `${POLICIES.join(', ')}`)
      .option('--bandwidth <bytes-per-s>', 'arena: the NAS bandwidth the copies share (default 500MB/s)')
      .option('--concurrency <n>', 'arena: copies at once (default 2)')
      .option(
        '--pin <key>',
        'arena: pin this model once the trace names it (repeatable)',
        (value: string, previous: string[]) => [...previous, value],
        [],
      );
  },
  async run({ options, output }) {
    if (options.trace === undefined) throw new UsageError('--trace is required: the NDJSON trace to replay');
    const capacityBytes = sizeOption('--capacity', options.capacity);
    const policy = policyOption(options.policy);
    const bandwidthBytesPerSecond = options.bandwidth === undefined ? undefined : sizeOption('--bandwidth', options.bandwidth, true);
    const concurrency = concurrencyOption(options.concurrency);
    let text: string;
    try {
      text = await readFile(options.trace, 'utf8');
    } catch (error) {
      throw new TraceError(`cannot read the trace ${options.trace}: ${messageOf(error)}`, { cause: error });
    }
    const report = simulate(parseTrace(text, options.trace), {
      policy,
      capacityBytes,
      ...(bandwidthBytesPerSecond === undefined ? {} : { bandwidthBytesPerSecond }),
      ...(concurrency === undefined ? {} : { concurrency }),
      ...(options.pin.length > 0 ? { pinned: options.pin } : {}),
    });
    if (output.json) output.document(report);
    else render(report, output.line.bind(output));
    return 0;
  },
};

function render(report: SimulationReport, line: (text: string) => void): void {
  const copier =
    report.bandwidthBytesPerSecond === undefined
      ? ''
      : `, copies at ${formatBytes(report.bandwidthBytesPerSecond)}/s shared by ${report.concurrency}`;
  line(`${report.policy} at ${formatBytes(report.capacityBytes)}${copier}`);
  line(`requests    ${report.requests} model reads, ${formatBytes(report.requestBytes)}`);
  line(`hits        ${report.hits} (${percent(report.hitRatio)})`);
  line(`byte hits   ${formatBytes(report.hitBytes)} (${percent(report.byteHitRatio)})`);
  line(`copied      ${formatBytes(report.bytesCopied)}`);
  line(`evictions   ${report.evictions}`);
}
