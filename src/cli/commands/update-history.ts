import { formatBytes } from '../../core/byte-size.js';
import type { HistoryResult } from '../../control/contract/update.js';
import type { CliCommand } from '../cli-command.js';
import { requestDaemon } from '../daemon-request.js';
import { formatTable, type Output } from '../output.js';
import { targetArguments, viaDaemonOrHere } from './update-common.js';

function short(sha256: string | undefined): string {
  return sha256 === undefined || sha256 === '' ? '(none)' : sha256.slice(0, 12);
}

function render(history: HistoryResult, output: Output): void {
  if (history.records.length === 0) output.line('no updates or rollbacks yet');
  const rows = history.records.map((record) => {
    const source =
      record.source === undefined
        ? ''
        : record.source.hub === 'hf'
          ? `${record.source.revision}@${record.source.commit.slice(0, 7)}`
          : `version ${record.source.versionId}`;
    return [
      record.at.replace('T', ' ').slice(0, 19),
      record.action,
      record.target,
      `${short(record.from?.sha256)} -> ${short(record.to.sha256)}`,
      source,
    ];
  });
  for (const line of formatTable(rows)) output.line(line);
  for (const { target, versions } of history.kept) {
    output.line();
    output.line(`kept for rollback of ${target} (arenactl update rollback ${target} --to SHA256):`);
    const kept = versions.map((version) => [
      `  ${short(version.sha256)}`,
      formatBytes(version.bytes),
      `kept ${version.keptAt.replace('T', ' ').slice(0, 19)}`,
      version.version?.slice(0, 12) ?? '',
    ]);
    for (const line of formatTable(kept)) output.line(line);
  }
}

export const updateHistoryCommand: CliCommand = {
  path: ['update', 'history'],
  description: 'List what the updater installed and rolled back (of one model, or all), and the versions kept for rollback. Works without a daemon.',
  arguments: '[target]',
  async run(run) {
    const [target] = targetArguments(run.args);
    const { result } = await viaDaemonOrHere(
      run,
      (socketPath) => requestDaemon(socketPath, 'update.history', target === undefined ? {} : { target }),
      { lock: false, models: false },
      (service) => service.history(target),
    );
    if (run.output.json) run.output.document(result);
    else render(result, run.output);
    return 0;
  },
};
