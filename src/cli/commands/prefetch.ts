import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { formatBytes } from '../../core/byte-size.js';
import { formatDuration } from '../../core/duration.js';
import { ControlClient } from '../../control/control-client.js';
import type { EventMessage } from '../../control/protocol.js';
import type { PrefetchOutcomeResult, ResolutionResult } from '../../control/results.js';
import type { CliCommand } from '../cli-command.js';
import { EXIT } from '../cli-errors.js';
import { EventInbox } from '../event-inbox.js';
import { isWorkflowPath, parseModelArgument } from '../model-arguments.js';
import { formatTable, type Output } from '../output.js';
import { readWorkflowFile } from '../read-workflow.js';

interface PrefetchOptions {
  readonly wait?: boolean;
}

interface Finished {
  readonly key: string;
  readonly status: 'done' | 'failed';
  readonly bytes?: number;
  readonly durationMs?: number;
  readonly message?: string;
}

/**
 * The models to ask for: a workflow's references (those not in the library
 * yet too, which the daemon then waits for), or one CATEGORY/NAME.
 */
async function modelsFor(
  target: string,
  client: ControlClient,
): Promise<{ models: Array<{ category: string; name: string }>; origin: string; unresolved: string[]; wantMissing: boolean }> {
  if (!isWorkflowPath(target)) {
    return { models: [parseModelArgument(target)], origin: `arenactl prefetch ${target}`, unresolved: [], wantMissing: false };
  }
  const parsed = await readWorkflowFile(target);
  const resolution = await client.request<ResolutionResult>('resolve', { workflow: parsed });
  const keys = new Set<string>();
  const models: Array<{ category: string; name: string }> = [];
  for (const ref of resolution.refs) {
    if (ref.key === undefined || keys.has(ref.key)) continue;
    keys.add(ref.key);
    const slash = ref.key.indexOf('/');
    models.push({ category: ref.key.slice(0, slash), name: ref.key.slice(slash + 1) });
  }
  const unresolved: string[] = [];
  for (const ref of resolution.unresolved) {
    if (ref.reason === 'not-found' && ref.category !== null) models.push({ category: ref.category, name: ref.name });
    else unresolved.push(ref.message);
  }
  return { models, origin: `arenactl prefetch ${target}`, unresolved, wantMissing: true };
}

function renderOutcomes(outcomes: readonly PrefetchOutcomeResult[], output: Output): void {
  const rows = outcomes.map((outcome) => [
    outcome.status,
    outcome.key ?? `${outcome.category}/${outcome.name}`,
    outcome.bytes === undefined ? '' : formatBytes(outcome.bytes),
    outcome.message ?? '',
  ]);
  for (const line of formatTable(rows)) output.line(line);
}

/**
 * Follows the copies until each ends: progress bars with speed and ETA on a
 * terminal, one line per finished copy otherwise.
 */
function waitForCopies(keys: ReadonlySet<string>, client: ControlClient, inbox: EventInbox, output: Output): Promise<Finished[]> {
  const finished = new Map<string, Finished>();
  const bars = output.isTerminal
    ? new cliProgress.MultiBar(
        {
          format: ' {bar} {percentage}% | {key} | {speed}/s | ETA {eta}',
          hideCursor: true,
          clearOnComplete: false,
          stopOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  const bar = new Map<string, cliProgress.SingleBar>();
  return new Promise((resolve) => {
    const settle = () => {
      if (finished.size < keys.size) return;
      bars?.stop();
      resolve([...finished.values()]);
    };
    const handle = (event: EventMessage) => {
      const key = typeof event.key === 'string' ? event.key : '';
      if (!keys.has(key) || finished.has(key)) return;
      if (event.event === 'prefetch.progress' && bars) {
        const total = Number(event.bytes);
        const payload = {
          key,
          speed: formatBytes(Number(event.bytesPerSecond)),
          eta: event.etaSeconds === null ? '?' : formatDuration(Number(event.etaSeconds)),
        };
        const existing = bar.get(key);
        if (existing) existing.update(Number(event.bytesCopied), payload);
        else bar.set(key, bars.create(total, Number(event.bytesCopied), payload));
      } else if (event.event === 'prefetch.done') {
        finished.set(key, { key, status: 'done', bytes: Number(event.bytes), durationMs: Number(event.durationMs) });
        bar.get(key)?.update(Number(event.bytes));
        if (!bars && !output.json) output.line(`done     ${key}  ${formatBytes(Number(event.bytes))} in ${formatDuration(Number(event.durationMs) / 1000)}`);
      } else if (event.event === 'prefetch.failed' && event.retry !== true) {
        finished.set(key, { key, status: 'failed', message: String(event.message) });
        output.note(`failed   ${key}: ${String(event.message)}`);
      } else if (event.event === 'prefetch.failed') {
        output.note(`retrying ${key}: ${String(event.message)}`);
      } else if (event.event === 'wanted.dropped') {
        finished.set(key, { key, status: 'failed', message: `no longer waited for (${String(event.reason)})` });
        output.note(`gave up  ${key}: its file did not arrive`);
      }
      settle();
    };
    client.onClose(() => {
      for (const key of keys) if (!finished.has(key)) finished.set(key, { key, status: 'failed', message: 'the daemon went away' });
      settle();
    });
    inbox.attach(handle);
    settle();
  });
}

export const prefetchCommand: CliCommand<PrefetchOptions> = {
  path: ['prefetch'],
  description: 'Copy the models of a workflow (JSON, PNG or WebP), or one CATEGORY/NAME, to the SSD now.',
  arguments: '<target>',
  configure(command: Command) {
    command.option('--wait', 'wait until every copy has finished, with progress');
  },
  async run({ args, options, output, socketPath }) {
    const client = await ControlClient.connect(socketPath);
    try {
      const inbox = new EventInbox();
      // Subscribe before asking, so that no event of these copies is missed.
      if (options.wait) await client.subscribe(['prefetch', 'wanted'], (event) => inbox.receive(event));
      const { models, origin, unresolved, wantMissing } = await modelsFor(args[0]!, client);
      for (const line of unresolved) output.note(`cannot resolve: ${line}`);
      const { outcomes } =
        models.length === 0
          ? { outcomes: [] as PrefetchOutcomeResult[] }
          : await client.request<{ outcomes: PrefetchOutcomeResult[] }>('prefetch', { models, priority: 'urgent', origin, wantMissing });
      if (!output.json) renderOutcomes(outcomes, output);
      // A wanted model is waited for too: the daemon queues it once its file settles.
      const pending = new Set(
        outcomes
          .filter((outcome) => outcome.status === 'queued' || outcome.status === 'copying' || outcome.status === 'wanted')
          .map((outcome) => outcome.key ?? `${outcome.category}/${outcome.name}`),
      );
      const results = options.wait && pending.size > 0 ? await waitForCopies(pending, client, inbox, output) : [];
      if (output.json) output.document(options.wait ? { outcomes, results, unresolved } : { outcomes, unresolved });
      return results.some((result) => result.status === 'failed') ? EXIT.failure : EXIT.ok;
    } finally {
      client.close();
    }
  },
};
