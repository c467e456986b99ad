import type { CheckResult } from '../../doctor/check.js';
import { machineEnvironment, runDoctor, type DoctorEnvironment } from '../../doctor/run-doctor.js';
import type { CliCommand } from '../cli-command.js';
import { EXIT } from '../cli-errors.js';
import type { CliIo } from '../cli-io.js';
import { requestDaemon } from '../daemon-request.js';
import type { Output } from '../output.js';
import { counted } from '../wording.js';

export type DoctorEnvironmentFactory = (io: CliIo) => DoctorEnvironment;

const MARK = { pass: '✓', warn: '!', fail: '✗' } as const;

function render(results: readonly CheckResult[], output: Output): void {
  const width = Math.max(...results.map((result) => result.id.length));
  for (const result of results) {
    output.line(`${MARK[result.status]} ${result.id.padEnd(width)}  ${result.message}`);
    if (result.fix) output.line(`  ${' '.repeat(width)}  fix: ${result.fix}`);
  }
}

export function doctorCommand(makeEnvironment: DoctorEnvironmentFactory = (io) => machineEnvironment(io.platform)): CliCommand {
  return {
    path: ['doctor'],
    description:
      "Check the daemon, the service, the config, ComfyUI's extra_model_paths.yaml, the roots, the inotify limit, the cache disk, permissions and the update hubs; each problem comes with its fix.",
    async run({ io, output, socketPath }) {
      const daemon = {
        socketPath,
        status: () => requestDaemon(socketPath, 'status'),
        configShow: () => requestDaemon(socketPath, 'config.show'),
      };
      const report = await runDoctor(daemon, io.platform, makeEnvironment(io));
      if (output.json) output.document(report);
      else {
        render(report.checks, output);
        const { summary } = report;
        output.line(`doctor: ${counted(summary.pass, 'check')} fine, ${counted(summary.warn, 'warning')}, ${counted(summary.fail, 'failure')}`);
      }
      return report.ok ? EXIT.ok : EXIT.failure;
    },
  };
}
