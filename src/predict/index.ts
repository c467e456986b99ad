/**
 * The prediction triggers: what happens in a ComfyUI install (a workflow
 * saved, a prompt queued or running, an image written) turned into events,
 * and the history of the runs that really happened.
 */
export type { RunSighting, WorkflowSighting } from './sightings.js';
export {
  WorkflowSaveWatcher,
  WORKFLOW_SAVE_DEFAULTS,
  type WorkflowSaveWatcherEvents,
  type WorkflowSaveWatcherOptions,
} from './workflow-save-watcher.js';
export { OutputImageWatcher, OUTPUT_IMAGE_DEFAULTS, type OutputImageWatcherEvents, type OutputImageWatcherOptions } from './output-image-watcher.js';
export {
  ComfyQueueWatcher,
  COMFY_QUEUE_DEFAULTS,
  type ComfyQueueStatus,
  type ComfyQueueWatcherEvents,
  type ComfyQueueWatcherOptions,
  type FetchFunction,
} from './comfy-queue-watcher.js';
export { RunDeduper, DEFAULT_RUN_WINDOW_MS, type RunDeduperOptions, type RunObservation } from './run-deduper.js';
export { canonicalJson, runIdOf } from './run-id.js';
export type { TreeWatchState, TreeWatchStatus } from './tree-watch.js';
export {
  UsageHistory,
  USAGE_HISTORY_DEFAULTS,
  USAGE_HISTORY_FILE,
  type RunRecord,
  type UsageHistoryOptions,
  type UsageRun,
  type UsedModel,
} from './usage-history.js';
export { ComfyUrlError } from './errors.js';
export { UsageHistoryError } from './errors.js';
