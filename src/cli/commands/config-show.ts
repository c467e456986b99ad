import { formatBytes } from '../../core/byte-size.js';
import { configReport } from '../../config/config-report.js';
import { loadConfig } from '../../config/load-config.js';
import { DaemonUnreachableError } from '../../control/control-client.js';
import type { ConfigReport } from '../../control/contract/daemon.js';
import type { CliCommand } from '../cli-command.js';
import type { CliIo } from '../cli-io.js';
import { requestDaemon } from '../daemon-request.js';
import { formatTable, type Output } from '../output.js';

/** The running daemon's view when there is one: its environment may differ from this shell's. */
async function effectiveConfig(socketPath: string, io: CliIo): Promise<ConfigReport> {
  try {
    return await requestDaemon(socketPath, 'config.show');
  } catch (error) {
    if (!(error instanceof DaemonUnreachableError)) throw error;
    return configReport(loadConfig({ platform: io.platform }), 'local');
  }
}

function shown(key: string, value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? (key === 'cache.categories' ? 'all' : '(none)') : value.join(', ');
  if (value === '') return '(unset)';
  if (typeof value === 'number' && key.endsWith('Bytes') && value > 0) return `${formatBytes(value)} (${value})`;
  return String(value);
}

function render(report: ConfigReport, socketPath: string, output: Output): void {
  output.line(
    report.origin === 'daemon'
      ? `effective configuration of the running daemon (${socketPath})`
      : `configuration computed here: arenad is not running (${socketPath})`,
  );
  output.line(`config file: ${report.configFile ?? '(none)'}`);
  output.line(`env file:    ${report.envFile ?? '(none)'}`);
  output.line();
  const rows = Object.entries(report.sources).map(([key, source]) => {
    const [section = '', name = ''] = key.split('.');
    return [key, shown(key, report.config[section]?.[name]), source];
  });
  for (const line of formatTable([['KEY', 'VALUE', 'SOURCE'], ...rows])) output.line(line);
  for (const warning of report.warnings) output.note(`warning: ${warning}`);
}

export const configShowCommand: CliCommand = {
  path: ['config', 'show'],
  description: 'Print the effective configuration and where each value came from.',
  async run({ output, socketPath, io }) {
    const report = await effectiveConfig(socketPath, io);
    if (output.json) output.document(report);
    else render(report, socketPath, output);
    return 0;
  },
};
