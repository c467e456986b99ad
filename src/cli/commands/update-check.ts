import type { CliCommand } from '../cli-command.js';
import { requestDaemon } from '../daemon-request.js';
import { renderReport, targetArguments, viaDaemonOrHere } from './update-common.js';

export const updateCheckCommand: CliCommand = {
  path: ['update', 'check'],
  description:
    'Compare each tracked model (or the named ones) with its hub: up-to-date, available (with its size), or error. Works without a daemon.',
  arguments: '[targets...]',
  async run(run) {
    const targets = targetArguments(run.args);
    const { result } = await viaDaemonOrHere(
      run,
      (socketPath) => requestDaemon(socketPath, 'update.check', { targets }),
      { lock: false, models: false },
      (service) => service.check(targets),
    );
    return renderReport(result, run.output);
  },
};
