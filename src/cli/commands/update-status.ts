import { formatBytes } from '../../core/byte-size.js';
import type { UpdatesStatus } from '../../control/contract/update.js';
import type { CliCommand } from '../cli-command.js';
import { requestDaemon } from '../daemon-request.js';
import type { Output } from '../output.js';
import { viaDaemonOrHere } from './update-common.js';

function when(iso: string): string {
  return new Date(iso).toLocaleString();
}

function render(status: UpdatesStatus, daemon: boolean, output: Output): void {
  output.line(`manifest   ${status.manifest === null ? '(none: set updates.manifest)' : `${status.manifest} (${status.tracked} tracked)`}`);
  const windows = status.windows === null ? '(none: updates run only on arenactl update run)' : status.windows;
  output.line(`windows    ${windows}`);
  if (status.currentWindow) output.line(`           open now, until ${when(status.currentWindow.closesAt)}`);
  if (status.nextWindow) output.line(`           next ${when(status.nextWindow.opensAt)} - ${when(status.nextWindow.closesAt)}`);
  output.line(`tokens     Hugging Face ${status.credentials.hf ? 'set' : 'not set'}, CivitAI ${status.credentials.civitai ? 'set' : 'not set'}`);
  if (status.lastCheck)
    output.line(`last check ${when(status.lastCheck.at)}: ${status.lastCheck.available} available, ${status.lastCheck.errors} errors`);
  for (const pending of status.pending) {
    output.line(`pending    ${pending.target} ${pending.version} (${formatBytes(pending.bytes)})${pending.held ? ', held back by a rollback' : ''}`);
  }
  for (const download of status.downloads) {
    output.line(
      `${download.state.padEnd(10)} ${download.target} ${download.percent}% (${formatBytes(download.bytesDone)} of ${formatBytes(download.bytes)})`,
    );
  }
  for (const problem of status.problems) output.line(`  ! ${problem}`);
  if (!daemon) output.note('arenad is not running: nothing downloads until it runs, or until arenactl update run');
}

export const updateStatusCommand: CliCommand = {
  path: ['update', 'status'],
  description: 'Show the update windows, what is pending, and the progress of each download.',
  async run(run) {
    const { result, daemon } = await viaDaemonOrHere(
      run,
      (socketPath) => requestDaemon(socketPath, 'update.status'),
      { lock: false, models: false },
      (service) => service.status(),
    );
    if (run.output.json) run.output.document({ ...result, daemon });
    else render(result, daemon, run.output);
    return 0;
  },
};
