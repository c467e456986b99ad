import { formatBytes } from '../../core/byte-size.js';
import { formatDuration } from '../../core/duration.js';
import type { StatusResult } from '../../control/contract/daemon.js';
import type { CliCommand } from '../cli-command.js';
import { requestDaemon } from '../daemon-request.js';
import type { Output } from '../output.js';
import { counted } from '../wording.js';

function render(status: StatusResult, socketPath: string, output: Output): void {
  output.line(`arenad ${status.version} · ${status.state} · pid ${status.pid} · up ${formatDuration(status.uptimeSeconds)}`);
  output.line(`socket   ${socketPath}`);
  if (status.problems.length > 0) {
    output.line('problems:');
    for (const problem of status.problems) output.line(`  ! ${problem}`);
  }
  const { library } = status;
  // Default category folders that a root simply lacks are not worth a mention; real absences are problems above.
  const present = library.folders.filter((folder) => folder.state === 'ok');
  const polled = present.filter((folder) => folder.mode === 'poll').length;
  output.line(
    `library  ${counted(library.models, 'model')}, ${formatBytes(library.bytes)} in ${counted(present.length, 'folder')}` +
      ` (${polled} polled${library.unavailableModels > 0 ? `, ${counted(library.unavailableModels, 'model')} unreachable` : ''})`,
  );
  output.line(`now      ${status.activity}`);
  if (status.wanted.length > 0) {
    output.line(`wanted   ${counted(status.wanted.length, 'model is', 'models are')} not in the library yet; each is copied once its file lands:`);
    for (const want of status.wanted) {
      const what = want.category === null ? want.name : `${want.category}/${want.name}`;
      const why = want.reason === 'settling' ? 'still being written' : 'missing';
      output.line(`  ${what} · ${why} · for ${want.origin} · ${formatDuration(Math.max(0, (Date.now() - want.since) / 1000))} ago`);
    }
  }
  output.line(`comfy    ${status.comfy.root ?? '(not found)'} · ${describeQueue(status.comfy)}`);
  output.line(`updates  ${describeUpdates(status.updates)}`);
}

/** The queue's URL and whether it answers; the URL once, even when the error already names it. */
function describeQueue(comfy: StatusResult['comfy']): string {
  if (comfy.reachable === null) return `${comfy.url} not checked yet`;
  if (comfy.reachable) return `${comfy.url} reachable`;
  if (comfy.error?.includes(comfy.url)) return comfy.error;
  return `${comfy.url} ${comfy.error ?? 'not reachable'}`;
}

/** One line from the updater's section: what it tracks, and what it is doing or waiting for. */
function describeUpdates(updates: StatusResult['updates']): string {
  if (!updates.manifest) return 'no manifest (updates.manifest) — nothing tracked';
  const parts = [`${updates.tracked ?? 0} tracked`];
  const pending = updates.pending?.length ?? 0;
  if (pending > 0) parts.push(`${pending} pending`);
  const downloading = updates.downloads?.length ?? 0;
  if (downloading > 0) parts.push(`${downloading} downloading`);
  if (updates.windowOpen === true) parts.push('window open now');
  else if (updates.nextWindow?.opensAt) parts.push(`next window ${updates.nextWindow.opensAt}`);
  else if (!updates.windows) parts.push('no update windows: only arenactl update run');
  return parts.join(' · ');
}

export const statusCommand: CliCommand = {
  path: ['status'],
  description: 'Show the daemon state, its problems, and what the library, cache and prefetch are doing.',
  async run({ output, socketPath }) {
    const status = await requestDaemon(socketPath, 'status');
    if (output.json) output.document(status);
    else render(status, socketPath, output);
    return 0;
  },
};
