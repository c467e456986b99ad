/**
 * What the `arenactl update ...` commands share: asking the running daemon
 * (which owns the windows and the downloads), or, when none answers, running
 * an updater here for the one command, on the same configuration, state
 * folder and lock; and the table the check and run results print as.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { formatBytes } from '../../core/byte-size.js';
import { modelKey, parseModelKey } from '../../core/categories.js';
import { loadCredentials } from '../../config/credentials.js';
import { loadConfig } from '../../config/load-config.js';
import { DaemonUnreachableError } from '../../control/control-client.js';
import { buildCatalog } from '../../library/build-catalog.js';
import { collectModelFolders } from '../../library/model-folders.js';
import type { LogMeta, Logger } from '../../log/logger.js';
import { redactText } from '../../log/redact.js';
import type { UpdateEntryResult, UpdateReport } from '../../control/contract/update.js';
import { UpdateService, updateSettingsOf, type UpdateLibrary } from '../../update/index.js';
import type { CommandRun } from '../cli-command.js';
import { EXIT } from '../cli-errors.js';
import type { CliIo } from '../cli-io.js';
import { parseModelArgument } from '../model-arguments.js';
import { formatTable, type Output } from '../output.js';

export interface LocalUpdaterNeeds {
  /** Take the update lock: the command changes the library. */
  readonly lock: boolean;
  /** Scan the library's models (identify without names). */
  readonly models: boolean;
}

/** `CATEGORY/NAME` arguments, checked here (exit 2 for a malformed one). */
export function targetArguments(args: readonly string[]): string[] {
  return args.map((arg) => {
    const { category, name } = parseModelArgument(arg);
    return `${category}/${name}`;
  });
}

/** Info and warnings of a local updater as notes on stderr, so --json stays one document. */
function noteLogger(output: Output): Logger {
  const make = (fixed: LogMeta): Logger => {
    const note = (message: string, meta: LogMeta = {}) => {
      const fields = Object.entries({ ...fixed, ...meta })
        .filter(([key]) => key !== 'module')
        .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
      output.note(redactText([message, ...fields].join(' ')));
    };
    return { error: note, warn: note, info: note, debug: () => undefined, child: (meta) => make({ ...fixed, ...meta }) };
  };
  return make({});
}

/**
 * Without a daemon, the SSD cache's copy of a replaced model is removed
 * directly; the daemon drops the orphaned ledger entry when it starts.
 */
async function removeCachedCopy(cacheRoot: string, key: string): Promise<void> {
  const parsed = parseModelKey(key);
  const normalized = parsed === undefined ? undefined : modelKey(parsed.category, parsed.name);
  if (normalized === undefined) return;
  const file = path.join(cacheRoot, ...normalized.split('/'));
  if (!file.startsWith(`${path.resolve(cacheRoot)}${path.sep}`)) return;
  await fs.rm(file, { force: true });
}

async function localUpdater(io: CliIo, output: Output, needs: LocalUpdaterNeeds): Promise<UpdateService> {
  const { config } = loadConfig({ platform: io.platform });
  const credentials = loadCredentials(io.platform.env);
  const comfyRoot = config.comfy.root || undefined;
  const collection = await collectModelFolders({
    ...(comfyRoot ? { comfyRoot } : {}),
    libraryRoots: [...config.library.roots],
    exclude: [config.cache.root],
    env: io.platform.env,
    homeDir: io.platform.home,
  });
  const catalog = needs.models ? await buildCatalog(collection.folders) : undefined;
  const library: UpdateLibrary = { folders: () => collection.folders, entries: (category) => catalog?.entries(category) ?? [] };
  const service = new UpdateService({
    settings: updateSettingsOf(config),
    credentials,
    stateDir: config.state.dir,
    library: () => library,
    invalidate: (key) => removeCachedCopy(config.cache.root, key),
    logger: noteLogger(output),
    holder: 'arenactl',
  });
  await service.start({ schedule: false, lock: needs.lock ? 'require' : 'none' });
  return service;
}

/**
 * Asks the daemon; when none answers, runs the command here. Returns the
 * result and where it came from.
 */
export async function viaDaemonOrHere<T>(
  run: CommandRun<object>,
  ask: (socketPath: string) => Promise<T>,
  needs: LocalUpdaterNeeds,
  here: (service: UpdateService) => Promise<T> | T,
): Promise<{ result: T; daemon: boolean }> {
  try {
    return { result: await ask(run.socketPath), daemon: true };
  } catch (error) {
    if (!(error instanceof DaemonUnreachableError)) throw error;
  }
  run.output.note(`arenad is not running (${run.socketPath}); the updater runs here for this command`);
  const service = await localUpdater(run.io, run.output, needs);
  try {
    return { result: await here(service), daemon: false };
  } finally {
    await service.stop();
  }
}

function detail(entry: UpdateEntryResult): string {
  if (entry.status === 'error') return entry.error?.message ?? '';
  const remote = entry.remote;
  if (remote === undefined) return '';
  if (entry.status === 'up-to-date') return remote.label;
  if (entry.status === 'updated') return `now ${remote.label}${entry.keptAs ? '; the previous file is kept for rollback' : ''}`;
  const parts = [`${remote.label}, ${formatBytes(remote.bytes)}`];
  if (entry.local === null) parts.push('not in the library yet');
  if (entry.paused) parts.push(`paused at ${formatBytes(entry.paused.bytesDone)}; resumes in the next window`);
  if (entry.held) parts.push('held back by a rollback; name the target to install it');
  return parts.join('; ');
}

/** The check and run table, and the exit code: 1 when any entry failed. */
export function renderReport(report: UpdateReport, output: Output): number {
  if (output.json) output.document(report);
  else if (report.entries.length === 0) output.line('the manifest tracks no models');
  else for (const line of formatTable(report.entries.map((entry) => [entry.status, entry.target, detail(entry)]))) output.line(line);
  return report.entries.some((entry) => entry.status === 'error') ? EXIT.failure : EXIT.ok;
}
