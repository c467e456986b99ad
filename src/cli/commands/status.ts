import { formatBytes } from '../../core/byte-size.js';
import { formatDuration } from '../../core/duration.js';
import type { StatusResult } from '../../control/results.js';
import type { CliCommand } from '../cli-command.js';
import { requestDaemon } from '../daemon-request.js';
import type { Output } from '../output.js';

function render(status: StatusResult, socketPath: string, output: Output): void {
  output.line(`arenad ${status.version} · ${status.state} · pid ${status.pid} · up ${formatDuration(status.uptimeSeconds)}`);
  output.line(`socket   ${socketPath}`);
  if (status.problems.length > 0) {
    output.line('problems:');
    for (const problem of status.problems) output.line(`  ! ${problem}`);
  }
  const { library } = status;
  const polled = library.folders.filter((folder) => folder.mode === 'poll').length;
  const missing = library.folders.filter((folder) => folder.state === 'missing').length;
  output.line(
    `library  ${library.models} models, ${formatBytes(library.bytes)} in ${library.folders.length} folders` +
      ` (${polled} polled, ${missing} missing${library.unavailableModels > 0 ? `, ${library.unavailableModels} models unreachable` : ''})`,
  );
  output.line(`comfy    ${status.comfy.root ?? '(not found)'} · ${status.comfy.url}`);
  output.line(`summary  ${status.summary}`);
}

export const statusCommand: CliCommand = {
  path: ['status'],
  description: 'Show the daemon state, its problems, and what the library, cache and prefetch are doing.',
  async run({ output, socketPath }) {
    const status = await requestDaemon<StatusResult>(socketPath, 'status');
    if (output.json) output.document(status);
    else render(status, socketPath, output);
    return 0;
  },
};
