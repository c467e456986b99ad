import type { Command } from 'commander';
import { installNodes, type InstallNodesResult } from '../../comfy/node-package.js';
import { oldNodesAdvice } from '../../comfy/old-nodes.js';
import type { CliCommand } from '../cli-command.js';
import type { Output } from '../output.js';
import { comfySettings } from './comfy-settings.js';

interface InstallNodesOptions {
  readonly comfyRoot?: string;
  readonly copy?: boolean;
  readonly disableOld?: boolean;
}

function render(result: InstallNodesResult, output: Output): void {
  for (const { from, to } of result.disabled) output.line(`disabled the old AutoCache nodes: renamed ${from} to ${to}`);
  if (result.action === 'unchanged') output.line(`the Arena nodes are already installed: ${result.target} → ${result.source}`);
  else {
    const how = result.mode === 'symlink' ? `linked to ${result.source}` : `copied from ${result.source}`;
    output.line(`${result.action} the Arena nodes in ${result.target} (${how})`);
  }
  for (const folder of result.oldNodesActive) for (const line of oldNodesAdvice(folder)) output.line(line);
  if (result.action !== 'unchanged' || result.disabled.length > 0) {
    output.line('Restart ComfyUI to load them: "Arena AutoCache: Stats", "Arena AutoCache: Trim" and the status badge.');
  }
}

export const comfyInstallNodesCommand: CliCommand<InstallNodesOptions> = {
  path: ['comfy', 'install-nodes'],
  description: 'Install the Arena nodes for ComfyUI (stats, trim, a status badge) into custom_nodes/, as a link or, with --copy, a copy.',
  configure(command: Command) {
    command
      .option('--comfy-root <dir>', 'the ComfyUI folder (default: comfy.root)')
      .option('--copy', 'copy the package instead of linking it (for a ComfyUI that cannot read this installation)')
      .option('--disable-old', 'rename the old AutoCache node folders to <name>.disabled, which ComfyUI skips');
  },
  async run({ options, output, io, socketPath }) {
    const settings = await comfySettings(socketPath, io, options.comfyRoot);
    const result = await installNodes({
      comfyRoot: settings.comfyRoot,
      mode: options.copy === true ? 'copy' : 'symlink',
      disableOld: options.disableOld === true,
    });
    if (output.json) output.document({ ...result, restartComfy: result.action !== 'unchanged' || result.disabled.length > 0 });
    else render(result, output);
    return 0;
  },
};
