/**
 * Turns saves of ComfyUI workflows into sightings: when the user saves a
 * workflow, the models it needs should start copying within a moment.
 *
 * The frontend saves to `<comfy>/user/<user>/workflows/**\/*.json`. Recent
 * versions write a temp file (`tmpXXXXXXXX`) and rename it into place; older
 * ones truncate the file and write it in place, so a reader can catch it
 * empty or half-written. Events of a file are therefore coalesced by a very
 * short debounce (a long one would cost prefetch latency), and a file that
 * does not parse as JSON yet is read again after growing delays.
 */
import path from 'node:path';
import { parseWorkflowBytes, WorkflowError, type ParsedWorkflow } from '../core/workflow/index.js';
import { ComfyFolderWatcher, type ComfyFolderWatcherOptions } from './comfy-folder-watcher.js';
import { isSavedWorkflowFile } from './comfy-paths.js';
import { ATTEMPT_DONE, retryBecause, type AttemptResult } from './file-attempts.js';
import { readVersion } from './read-version.js';
import type { WorkflowSighting } from './sightings.js';

export const WORKFLOW_SAVE_DEFAULTS = {
  debounceMs: 25,
  retryDelaysMs: [50, 100, 200, 400, 800],
  checkIntervalMs: 2_000,
  freshMs: 120_000,
} as const;

/** `<comfyRoot>/user` is watched. */
export interface WorkflowSaveWatcherOptions extends ComfyFolderWatcherOptions {
  /** Workflows found in a folder that appeared later count when saved less than this long ago. */
  readonly freshMs?: number;
}

export interface WorkflowSaveWatcherEvents {
  sighting: [WorkflowSighting];
}

export class WorkflowSaveWatcher extends ComfyFolderWatcher<WorkflowSaveWatcherEvents> {
  readonly userDir: string;
  /** The version of each file last announced, so that a rescan does not announce it again. */
  private readonly announced = new Map<string, string>();
  /** The reason last warned about for each unreadable file, so that a broken file is not reported over and over. */
  private readonly warned = new Map<string, string>();

  constructor(options: WorkflowSaveWatcherOptions) {
    const userDir = path.join(options.comfyRoot, 'user');
    super(options, {
      dir: userDir,
      source: 'workflows',
      fileNoun: 'saved workflow',
      defaults: WORKFLOW_SAVE_DEFAULTS,
      accept: (file) => isSavedWorkflowFile(userDir, file),
      freshMs: options.freshMs ?? WORKFLOW_SAVE_DEFAULTS.freshMs,
    });
    this.userDir = userDir;
  }

  protected override async attempt(file: string, isCurrent: () => boolean): Promise<AttemptResult> {
    const read = await readVersion(file);
    if (read === undefined || this.announced.get(file) === read.version) return ATTEMPT_DONE;
    let workflow: ParsedWorkflow;
    try {
      workflow = parseWorkflowBytes(read.bytes);
    } catch (error) {
      if (!(error instanceof WorkflowError)) throw error;
      if (mayBeIncomplete(read.bytes)) {
        this.logger.debug('saved workflow is not complete yet; reading it again', { file: this.origin(file), reason: error.message });
        return retryBecause(error.message);
      }
      this.warnUnreadable(file, error.message);
      return ATTEMPT_DONE;
    }
    if (!isCurrent()) return ATTEMPT_DONE;
    this.announced.set(file, read.version);
    this.warned.delete(file);
    const origin = this.origin(file);
    this.logger.debug('workflow saved', { file: origin, refs: workflow.refs.length, warnings: workflow.warnings.length || undefined });
    this.emit('sighting', { kind: 'workflow-saved', origin, workflow, at: this.now(), file });
    return ATTEMPT_DONE;
  }

  protected override giveUp(file: string, reason: string): void {
    this.warnUnreadable(file, reason);
  }

  private warnUnreadable(file: string, reason: string): void {
    if (this.warned.get(file) === reason) return;
    this.warned.set(file, reason);
    this.logger.warn(`saved workflow ${this.origin(file)} cannot be read: ${reason}`);
  }

  /** The file was deleted (WatchedFiles has stopped trying it). */
  protected override forget(file: string): void {
    this.announced.delete(file);
    this.warned.delete(file);
  }
}

/**
 * A file caught in the middle of an in-place write is never valid JSON (a
 * cut-off object cannot be), while a complete file that is valid JSON but no
 * workflow will not get better by waiting.
 */
function mayBeIncomplete(bytes: Uint8Array): boolean {
  try {
    // TextDecoder drops a UTF-8 BOM, which JSON.parse would reject.
    JSON.parse(new TextDecoder().decode(bytes));
    return false;
  } catch {
    return true;
  }
}
