/**
 * An available update, installed: download into staging (resuming what a
 * paused window left), verify, keep the current file as a version, swap,
 * invalidate the SSD copy, and record it in the history.
 */
import fs from 'node:fs/promises';
import { downloadVerified } from './download.js';
import type { PaceLimits } from './download-pace.js';
import type { Sleep } from './sleep.js';
import { localVersion, type Inspection } from './inspect-entry.js';
import { locateTarget } from './locate-target.js';
import { discardStaged } from './staging.js';
import { installStaged, recordSwap, swapContextOf } from './swap.js';
import type { UpdateContext } from './update-context.js';
import type { FileVersion } from '../control/contract/update.js';

export interface InstallOptions {
  /** Aborting pauses the download (the window closed, or the daemon stops). */
  readonly signal: AbortSignal;
  readonly trigger: 'window' | 'manual';
  readonly sleep: Sleep;
  /** How slow a download may be before it counts as broken off. */
  readonly pace: PaceLimits;
  readonly onStart?: (resumeFrom: number) => void;
  readonly onProgress?: (bytesDone: number) => void;
}

export type InstallOutcome =
  | { readonly status: 'updated'; readonly path: string; readonly from: FileVersion | null; readonly keptAs?: string }
  /** The library file became the new version by other means while it downloaded. */
  | { readonly status: 'up-to-date'; readonly path: string; readonly from: FileVersion };

export async function installUpdate(context: UpdateContext, inspection: Inspection, options: InstallOptions): Promise<InstallOutcome> {
  const { entry, remote } = inspection;
  const { source } = entry;
  const http = source.hub === 'hf' ? context.hf.http : context.civitai.http;
  const downloaded = await downloadVerified({
    http,
    remote,
    target: entry.target,
    arenaDir: inspection.located.arenaDir,
    onError: (response) =>
      source.hub === 'hf' ? context.hf.fail(response, source) : context.civitai.fail(response, `the download of version ${remote.version}`),
    signal: options.signal,
    logger: context.logger,
    sleep: options.sleep,
    pace: options.pace,
    now: context.now,
    ...(options.onStart ? { onStart: options.onStart } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  context.logger.info('download verified', {
    target: entry.target,
    version: remote.label,
    sha256: remote.sha256.slice(0, 12),
    bytes: downloaded.bytes,
  });

  // The download may have taken hours: look at the library file again just before the swap.
  const located = await locateTarget(context.library, entry);
  const current = await localVersion(context, located);
  if (current?.sha256 === remote.sha256) {
    await discardStaged(downloaded.files);
    return { status: 'up-to-date', path: located.path, from: current };
  }
  const swap = await installStaged(downloaded.file, swapContextOf(context, entry.target, located, entry.keep, current));
  await fs.rm(downloaded.files.record, { force: true });
  await recordSwap(
    context,
    { target: entry.target, located, current, sha256: remote.sha256, swap },
    { action: 'update', source: remote.record, trigger: options.trigger },
  );
  for (const pruned of swap.pruned)
    context.logger.info('dropped an old kept version', { target: entry.target, sha256: pruned.sha256.slice(0, 12), file: pruned.file });
  context.logger.info('installed', {
    target: entry.target,
    path: located.path,
    version: remote.label,
    from: current?.sha256.slice(0, 12) ?? 'none',
    to: remote.sha256.slice(0, 12),
    ...(swap.keptAs === undefined ? {} : { keptAs: swap.keptAs }),
  });
  return { status: 'updated', path: located.path, from: current, ...(swap.keptAs === undefined ? {} : { keptAs: swap.keptAs }) };
}
