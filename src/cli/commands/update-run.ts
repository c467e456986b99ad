import cliProgress from 'cli-progress';
import { formatBytes } from '../../core/byte-size.js';
import { ControlClient } from '../../control/control-client.js';
import { updateEvent } from '../../control/contract/events.js';
import type { UpdateReport } from '../../control/contract/update.js';
import type { EventMessage } from '../../control/protocol.js';
import type { CliCommand } from '../cli-command.js';
import type { Output } from '../output.js';
import { renderReport, targetArguments, viaDaemonOrHere } from './update-common.js';

/**
 * Follows the downloads of a run: a bar per download on a terminal, a line
 * when each starts and ends otherwise (on stderr, so --json stays clean).
 */
function progressFollower(output: Output): { handle(message: EventMessage): void; stop(): void } {
  let bar: cliProgress.SingleBar | undefined;
  const end = () => {
    bar?.stop();
    bar = undefined;
  };
  return {
    handle(message) {
      // The stream of the `update` topic: the updater's events, and daemon.stopping, which ends it.
      const parsed = updateEvent.safeParse(message);
      if (!parsed.success) return;
      const event = parsed.data;
      switch (event.event) {
        case 'update.started': {
          const { target, bytes, resumeFrom, version } = event;
          output.note(`downloading ${target} ${version} (${formatBytes(bytes)})${resumeFrom > 0 ? `, resuming at ${formatBytes(resumeFrom)}` : ''}`);
          if (output.isTerminal) {
            end();
            bar = new cliProgress.SingleBar(
              { format: ' {bar} {percentage}% | {value}/{total} bytes', hideCursor: true },
              cliProgress.Presets.shades_classic,
            );
            bar.start(bytes, resumeFrom);
          }
          break;
        }
        case 'update.progress':
          bar?.update(event.bytesDone);
          break;
        case 'update.installed':
          end();
          output.note(`installed ${event.target} ${event.version}`);
          break;
        case 'update.paused':
          end();
          output.note(`paused ${event.target} at ${formatBytes(event.bytesDone)}`);
          break;
        case 'update.failed':
          end();
          output.note(`failed ${event.target}: ${event.message}`);
          break;
        case 'update.window':
        case 'update.checked':
        case 'update.available':
        case 'update.rolledback':
          // Nothing about a download's progress.
          break;
      }
    },
    stop: end,
  };
}

async function runOnDaemon(socketPath: string, targets: readonly string[], output: Output): Promise<UpdateReport> {
  const client = await ControlClient.connect(socketPath);
  const follower = progressFollower(output);
  try {
    await client.subscribe(['update'], (event) => follower.handle(event));
    return await client.request('update.run', { targets });
  } finally {
    follower.stop();
    client.close();
  }
}

export const updateRunCommand: CliCommand = {
  path: ['update', 'run'],
  description: 'Download, verify and install available updates now, whatever the update windows say. Works without a daemon.',
  arguments: '[targets...]',
  async run(run) {
    const targets = targetArguments(run.args);
    // Without a daemon, the updater's own log lines (on stderr) tell the progress.
    const { result: report } = await viaDaemonOrHere(
      run,
      (socketPath) => runOnDaemon(socketPath, targets, run.output),
      { lock: true, models: false },
      (service) => service.run(targets),
    );
    return renderReport(report, run.output);
  },
};
