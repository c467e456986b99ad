import { stringify } from 'yaml';
import { formatBytes } from '../../core/byte-size.js';
import type { IdentifyResult } from '../../control/contract/update.js';
import type { CliCommand } from '../cli-command.js';
import { requestDaemon } from '../daemon-request.js';
import { formatTable, type Output } from '../output.js';
import { targetArguments, viaDaemonOrHere } from './update-common.js';

function render(result: IdentifyResult, output: Output): void {
  const rows = result.files.map((file) => {
    if (file.error) return ['error', file.target, file.error.message];
    if (!file.civitai) return ['unknown', file.target, `${formatBytes(file.bytes)}, not on CivitAI`];
    const { modelName, versionName, baseModel, modelId, versionId } = file.civitai;
    return [
      'civitai',
      file.target,
      `${modelName ?? `model ${modelId}`} · ${versionName ?? `version ${versionId}`}${baseModel ? ` · ${baseModel}` : ''}`,
    ];
  });
  if (rows.length === 0) output.line('no untracked models to identify');
  for (const line of formatTable(rows)) output.line(line);
  const suggestions = result.files.flatMap((file) => (file.suggestion ? [file.suggestion] : []));
  if (suggestions.length > 0) {
    output.line();
    output.line('# entries to add to the manifest (updates.manifest):');
    output.line(stringify({ models: suggestions }).trimEnd());
  }
}

export const updateIdentifyCommand: CliCommand = {
  path: ['update', 'identify'],
  description:
    'Hash local models (the named ones, or every untracked one) and ask CivitAI what they are; prints manifest entries to add. Works without a daemon.',
  arguments: '[targets...]',
  async run(run) {
    const targets = targetArguments(run.args);
    const { result } = await viaDaemonOrHere(
      run,
      (socketPath) => requestDaemon(socketPath, 'update.identify', { targets }),
      { lock: false, models: targets.length === 0 },
      (service) => service.identify(targets),
    );
    if (run.output.json) run.output.document(result);
    else render(result, run.output);
    return 0;
  },
};
