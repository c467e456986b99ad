import cliProgress from 'cli-progress';
import { formatBytes } from '../../core/byte-size.js';
import { ControlClient, DaemonUnreachableError } from '../../control/control-client.js';
import type { EventMessage } from '../../control/protocol.js';
import type { UpdateReport } from '../../update/index.js';
import type { CliCommand } from '../cli-command.js';
import type { Output } from '../output.js';
import { renderReport, targetArguments, viaDaemonOrHere } from './update-common.js';

/**
 * Follows the downloads of a run: a bar per download on a terminal, a line
 * when each starts and ends otherwise (on stderr, so --json stays clean).
 */
function progressFollower(output: Output): { handle(event: EventMessage): void; stop(): void } {
  let bar: cliProgress.SingleBar | undefined;
  const end = () => {
    bar?.stop();
    bar = undefined;
  };
  return {
    handle(event) {
      const target = String(event.target ?? '');
      switch (event.event) {
        case 'update.started': {
          const bytes = Number(event.bytes);
          const resumeFrom = Number(event.resumeFrom);
          output.note(`downloading ${target} ${String(event.version)} (${formatBytes(bytes)})${resumeFrom > 0 ? `, resuming at ${formatBytes(resumeFrom)}` : ''}`);
          if (output.isTerminal) {
            end();
            bar = new cliProgress.SingleBar({ format: ' {bar} {percentage}% | {value}/{total} bytes', hideCursor: true }, cliProgress.Presets.shades_classic);
            bar.start(bytes, resumeFrom);
          }
          break;
        }
        case 'update.progress':
          bar?.update(Number(event.bytesDone));
          break;
        case 'update.installed':
          end();
          output.note(`installed ${target} ${String(event.version)}`);
          break;
        case 'update.paused':
          end();
          output.note(`paused ${target} at ${formatBytes(Number(event.bytesDone))}`);
          break;
        case 'update.failed':
          end();
          output.note(`failed ${target}: ${String(event.message)}`);
          break;
        default:
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
    return await client.request<UpdateReport>('update.run', { targets: [...targets] });
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
    let report: UpdateReport;
    try {
      report = await runOnDaemon(run.socketPath, targets, run.output);
    } catch (error) {
      if (!(error instanceof DaemonUnreachableError)) throw error;
      // Here the updater's own log lines (on stderr) tell the progress.
      ({ result: report } = await viaDaemonOrHere(run, { cmd: 'update.run', args: { targets } }, { lock: true, models: false }, (service) =>
        service.run(targets),
      ));
    }
    return renderReport(report, run.output);
  },
};
