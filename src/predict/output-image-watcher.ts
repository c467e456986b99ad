/**
 * Turns the images ComfyUI saves into runs: an image in `<comfy>/output/`
 * proves that the models of the prompt embedded in it were just read. This
 * is what the usage history counts, and it works without the ComfyUI API.
 *
 * ComfyUI writes images in place, so a new file is read again after growing
 * delays until it is complete (or its metadata, which comes first, is). One
 * run writes several images (a batch, an image and a preview): a RunDeduper
 * lets each run through once, and the queue watcher may share it.
 */
import path from 'node:path';
import { extractImageMetadata, parseWorkflowBytes, WorkflowError, type ImageMetadata, type ParsedWorkflow } from '../core/workflow/index.js';
import { ComfyFolderWatcher, type ComfyFolderWatcherOptions } from './comfy-folder-watcher.js';
import { isOutputImageFile } from './comfy-paths.js';
import { ATTEMPT_DONE, retryBecause, type AttemptResult } from './file-attempts.js';
import { isImageComplete } from './image-completeness.js';
import { readVersion } from './read-version.js';
import { runIdOf } from './run-id.js';
import { RunDeduper } from './run-deduper.js';
import type { RunSighting } from './sightings.js';

export const OUTPUT_IMAGE_DEFAULTS = {
  debounceMs: 50,
  /** About 3 s in all: a large PNG takes ComfyUI a moment to encode and write. */
  retryDelaysMs: [100, 200, 400, 800, 1600],
  checkIntervalMs: 5_000,
  maxAgeMs: 10 * 60_000,
} as const;

/** `<comfyRoot>/output` is watched. */
export interface OutputImageWatcherOptions extends ComfyFolderWatcherOptions {
  /** Shared with the queue watcher so that a run seen in both counts once. */
  readonly deduper?: RunDeduper;
  /**
   * An image last modified longer ago than this is no new run: it was moved
   * or restored into the folder, which keeps its mtime.
   */
  readonly maxAgeMs?: number;
}

export interface OutputImageWatcherEvents {
  run: [RunSighting];
}

export class OutputImageWatcher extends ComfyFolderWatcher<OutputImageWatcherEvents> {
  readonly outputDir: string;
  readonly deduper: RunDeduper;
  private readonly maxAgeMs: number;

  constructor(options: OutputImageWatcherOptions) {
    const outputDir = path.join(options.comfyRoot, 'output');
    const maxAgeMs = options.maxAgeMs ?? OUTPUT_IMAGE_DEFAULTS.maxAgeMs;
    super(options, {
      dir: outputDir,
      source: 'output',
      fileNoun: 'output image',
      defaults: OUTPUT_IMAGE_DEFAULTS,
      accept: isOutputImageFile,
      freshMs: maxAgeMs,
      // ComfyUI writes each image once, under a new name.
      filesOnlyAdded: true,
    });
    this.outputDir = outputDir;
    this.maxAgeMs = maxAgeMs;
    this.deduper = options.deduper ?? new RunDeduper({ now: this.now });
  }

  protected override giveUp(file: string, reason: string): void {
    this.logger.debug('output image never became readable; ignored', { file: this.origin(file), reason });
  }

  protected override async attempt(file: string, isCurrent: () => boolean): Promise<AttemptResult> {
    const read = await readVersion(file);
    if (read === undefined) return ATTEMPT_DONE;
    const origin = this.origin(file);
    if (this.now() - read.mtimeMs > this.maxAgeMs) {
      this.logger.debug('output image is old; not a new run', { file: origin });
      return ATTEMPT_DONE;
    }
    const complete = isImageComplete(read.bytes);
    const found = readRun(read.bytes);
    if ('skip' in found) {
      if (!complete) {
        this.logger.debug('output image is not complete yet; reading it again', { file: origin, reason: found.skip });
        return retryBecause(found.skip);
      }
      this.logger.debug('output image ignored', { file: origin, reason: found.skip });
      return ATTEMPT_DONE;
    }
    if (!isCurrent()) return ATTEMPT_DONE;
    const seen = this.deduper.observe(found.runId, read.mtimeMs);
    if (!seen.first) {
      this.logger.debug('output image of a run already counted', { file: origin, runId: found.runId });
      return ATTEMPT_DONE;
    }
    this.logger.debug('output image of a new run', { file: origin, runId: found.runId, refs: found.workflow.refs.length });
    this.emit('run', {
      kind: 'output-image',
      runId: found.runId,
      origin,
      workflow: found.workflow,
      startedAt: seen.startedAt,
      at: this.now(),
      file,
    });
    return ATTEMPT_DONE;
  }
}

type ImageRun = { readonly runId: string; readonly workflow: ParsedWorkflow } | { readonly skip: string };

/** The run an image's metadata describes, or why there is none (yet). */
function readRun(bytes: Uint8Array): ImageRun {
  try {
    const metadata = extractImageMetadata(bytes);
    if (metadata.prompt === undefined && metadata.workflow === undefined) return { skip: 'no workflow metadata' };
    const workflow = parseWorkflowBytes(bytes, { prefer: 'api' });
    return { runId: runIdOfMetadata(metadata), workflow };
  } catch (error) {
    if (error instanceof WorkflowError) return { skip: error.message };
    throw error;
  }
}

/** The id from the API prompt, which the queue shows too; from the UI workflow when there is no usable prompt. */
function runIdOfMetadata(metadata: ImageMetadata): string {
  for (const text of [metadata.prompt, metadata.workflow]) {
    if (text === undefined) continue;
    try {
      return runIdOf(JSON.parse(text));
    } catch {
      // Unusable prompt text: the workflow, which parsed, names the run instead.
    }
  }
  // parseWorkflowBytes succeeded, so one of the texts is JSON; this is for the type checker.
  throw new WorkflowError('the image metadata holds no JSON');
}
