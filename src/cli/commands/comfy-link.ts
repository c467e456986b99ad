import type { Command } from 'commander';
import { collectModelFolders } from '../../library/model-folders.js';
import { linkCategories } from '../../comfy/link-categories.js';
import { linkCache, unlinkCache, type LinkResult, type UnlinkResult } from '../../comfy/model-paths-file.js';
import type { CliCommand } from '../cli-command.js';
import type { CliIo } from '../cli-io.js';
import type { Output } from '../output.js';
import { comfySettings } from './comfy-settings.js';

interface ComfyRootOptions {
  readonly comfyRoot?: string;
}

const RESTART = 'Restart ComfyUI to see the change: it reads extra_model_paths.yaml only when it starts.';

function comfyRootOption(command: Command): void {
  command.option('--comfy-root <dir>', 'the ComfyUI folder (default: comfy.root)');
}

/** The categories of the library's folders, so that custom ones (ipadapter, ...) get a cache folder too. */
async function libraryCategories(comfyRoot: string, libraryRoots: readonly string[], cacheRoot: string, io: CliIo): Promise<string[]> {
  const { folders } = await collectModelFolders({
    comfyRoot,
    libraryRoots: [...libraryRoots],
    exclude: [cacheRoot],
    env: io.platform.env,
    homeDir: io.platform.home,
  });
  return folders.map((folder) => folder.category);
}

/** What --dry-run would do, with the section as it would be written. */
function renderPlannedLink(result: LinkResult, action: Exclude<LinkResult['action'], 'unchanged'>, output: Output): void {
  const plan = {
    created: `would create ${result.file} with the section ${result.section}:`,
    added: `would add the section ${result.section} to ${result.file}:`,
    updated: `would rewrite the section ${result.section} in ${result.file} as:`,
  }[action];
  output.line(plan);
  for (const line of result.sectionText.trimEnd().split('\n')) output.line(`  ${line}`);
  output.line('Nothing was written (--dry-run).');
}

function renderLink(result: LinkResult, output: Output): void {
  if (result.action === 'unchanged') {
    output.line(`${result.file} already lists the Arena cache ${result.cacheRoot} (section ${result.section}); nothing changed`);
    return;
  }
  if (result.dryRun) {
    renderPlannedLink(result, result.action, output);
    return;
  }
  const verb = { created: 'created', added: 'added the section', updated: 'updated the section' }[result.action];
  output.line(`${verb} ${result.section} in ${result.file}: ${result.categories.length} categories under ${result.cacheRoot}, looked up first`);
  if (result.backup) output.line(`the previous file is kept as ${result.backup}`);
  output.line(RESTART);
}

function renderUnlink(result: UnlinkResult, output: Output): void {
  if (result.action === 'absent') {
    output.line(`${result.file} has no ${result.section} section; nothing changed`);
    return;
  }
  output.line(
    result.fileRemoved
      ? `removed ${result.file}: it held only the ${result.section} section`
      : `removed the ${result.section} section from ${result.file}`,
  );
  if (result.backup) output.line(`the previous file is kept as ${result.backup}`);
  output.line(RESTART);
}

export const comfyLinkCommand: CliCommand<ComfyRootOptions & { readonly dryRun?: boolean }> = {
  path: ['comfy', 'link'],
  description: "Register the SSD cache in ComfyUI's extra_model_paths.yaml (section arena_cache, looked up first), keeping a backup.",
  configure(command: Command) {
    comfyRootOption(command);
    command.option('--dry-run', 'show the section that would be written, and write nothing');
  },
  async run({ options, output, io, socketPath }) {
    const settings = await comfySettings(socketPath, io, options.comfyRoot);
    const categories = await linkCategories(
      settings.cacheRoot,
      await libraryCategories(settings.comfyRoot, settings.libraryRoots, settings.cacheRoot, io),
    );
    const result = await linkCache({ comfyRoot: settings.comfyRoot, cacheRoot: settings.cacheRoot, categories, dryRun: options.dryRun === true });
    const changed = result.action !== 'unchanged';
    if (output.json) output.document({ ...result, changed, restartComfy: changed && !result.dryRun });
    else renderLink(result, output);
    return 0;
  },
};

export const comfyUnlinkCommand: CliCommand<ComfyRootOptions> = {
  path: ['comfy', 'unlink'],
  description: 'Remove the arena_cache section that `comfy link` added to extra_model_paths.yaml, keeping a backup.',
  configure: comfyRootOption,
  async run({ options, output, io, socketPath }) {
    const settings = await comfySettings(socketPath, io, options.comfyRoot);
    const result = await unlinkCache({ comfyRoot: settings.comfyRoot });
    if (output.json) output.document({ ...result, changed: result.action === 'removed', restartComfy: result.action === 'removed' });
    else renderUnlink(result, output);
    return 0;
  },
};
