import type { Command } from 'commander';
import { formatBytes } from '../../core/byte-size.js';
import { ControlClient, DaemonUnreachableError } from '../../control/control-client.js';
import { DaemonRunningError } from '../../comfy/errors.js';
import { migrate, type MigrationReport } from '../../comfy/migrate.js';
import type { CliCommand } from '../cli-command.js';
import { EXIT } from '../cli-errors.js';
import type { Output } from '../output.js';
import { counted } from '../wording.js';

interface MigrateOptions {
  readonly from?: string;
  readonly config?: string;
  readonly dryRun?: boolean;
}

/** True when a daemon answers on the socket: then its recovery would race the files migrate moves. */
async function daemonAnswers(socketPath: string): Promise<boolean> {
  try {
    (await ControlClient.connect(socketPath, 2000)).close();
    return true;
  } catch (error) {
    if (error instanceof DaemonUnreachableError) return false;
    throw error;
  }
}

function shown(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function render(report: MigrationReport, output: Output): void {
  const would = (done: string, planned: string) => (report.dryRun ? planned : done);
  output.line(`migrating the old AutoCache setup of ${report.comfyRoot}${report.dryRun ? ' (dry run: nothing is changed)' : ''}`);

  output.line();
  output.line(`settings (${report.envFile ?? 'no env file'}, and the environment):`);
  if (report.settings.length === 0) output.line('  none found');
  for (const setting of report.settings) {
    const target =
      setting.status === 'mapped' && setting.key
        ? ` → ${setting.key}${setting.configValue === undefined ? '' : `: ${shown(setting.configValue)}`}`
        : '';
    output.line(`  ${setting.status.padEnd(7)}  ${setting.variable}=${setting.value}${target}`);
    const where =
      report.envFile && setting.source.startsWith(`${report.envFile}:`) ? `line ${setting.source.slice(report.envFile.length + 1)}` : setting.source;
    output.line(`           ${setting.reason} (${where})`);
  }
  for (const problem of report.problems) output.line(`  skipped: ${problem}`);

  output.line();
  const { config } = report;
  const set = config.changes.filter((change) => change.action === 'set');
  if (config.action === 'unchanged' && config.changes.length === 0) output.line(`config: nothing to write to ${config.file}`);
  else if (config.action === 'unchanged') output.line(`config: ${config.file} already says all of it`);
  else
    output.line(
      `config: ${would(config.action === 'created' ? 'created' : 'updated', 'would write')} ${config.file}${config.backup ? ` (the previous one is ${config.backup})` : ''}`,
    );
  for (const change of set) {
    output.line(
      `  ${change.key}: ${shown(change.value)}${change.previous === undefined ? '' : ` (was ${shown(change.previous)})`}  from ${change.origin}`,
    );
  }
  for (const problem of config.check) output.line(`  ! ${problem}`);

  output.line();
  const { cache } = report;
  output.line(`cache: ${cache.root}${cache.oldRoots.length === 0 ? ' (no old cache folder found)' : ` (old folders: ${cache.oldRoots.join(', ')})`}`);
  if (cache.adopted.length > 0) {
    output.line(
      `  ${would('adopted', 'would adopt')} ${counted(cache.adopted.length, 'file')}, ${formatBytes(cache.adoptedBytes)}, with nothing copied again:`,
    );
    for (const file of cache.adopted) output.line(`    ${file.key}  ${file.how === 'in-place' ? 'in place' : `${file.how} from ${file.from}`}`);
  }
  if (cache.removed.length > 0) {
    output.line(`  ${would('removed', 'would remove')} ${counted(cache.removed.length, 'leftover')}:`);
    for (const file of cache.removed) output.line(`    ${file.path}: ${file.reason}`);
  }
  if (cache.unmatched.length > 0) {
    output.line(`  ${counted(cache.unmatched.length, 'file')} matching no library file:`);
    for (const file of cache.unmatched)
      output.line(`    ${file.path}: ${file.reason}${file.movedTo ? ` (${would('moved', 'would move')} to ${file.movedTo})` : ''}`);
  }
  output.line(`ledger: ${report.ledger.file} (${counted(report.ledger.entries, 'entry', 'entries')})`);
  if (report.envFile)
    output.line(
      `env file: ${report.envFileMovedTo ? `moved aside to ${report.envFileMovedTo}` : `${report.envFile} would be moved aside`}; its settings are in the config file`,
    );

  output.line();
  output.line('next steps:');
  for (const step of report.nextSteps) output.line(`  ${step}`);
}

export const migrateCommand: CliCommand<MigrateOptions> = {
  path: ['migrate'],
  description:
    'Move over from the old ComfyUI_Arena AutoCache nodes: their settings into the config file, their cache adopted without copying again.',
  configure(command: Command) {
    command
      .option('--from <comfy-root>', 'the ComfyUI folder the old nodes ran in (default: comfy.root)')
      .option('--config <file>', 'the config file to write (default: ARENA_CONFIG, else ~/.config/arena/config.yaml)')
      .option('--dry-run', 'change nothing; say what would be done');
  },
  async run({ options, output, io, socketPath }) {
    const dryRun = options.dryRun === true;
    if (!dryRun && (await daemonAnswers(socketPath))) throw new DaemonRunningError(socketPath);
    const report = await migrate({
      platform: io.platform,
      dryRun,
      ...(options.from === undefined ? {} : { from: options.from }),
      ...(options.config === undefined ? {} : { configFile: options.config }),
    });
    if (output.json) output.document(report);
    else render(report, output);
    if (report.config.check.length > 0) {
      output.note(`arenactl: ${report.config.file} was written, but arenad would not start with it: ${report.config.check.join('; ')}`);
      return EXIT.failure;
    }
    return EXIT.ok;
  },
};
