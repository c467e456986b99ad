/**
 * What the prediction triggers announce. A sighting says "these models will
 * be needed soon" (a workflow saved or queued); a run says "these models were
 * really read" (a generation ran), which is what the usage history counts.
 */
import type { ParsedWorkflow } from '../core/workflow/index.js';

/** The models of this workflow will be needed soon. */
export interface WorkflowSighting {
  readonly kind: 'workflow-saved' | 'prompt-queued';
  /**
   * Human-readable origin for logs and `arenactl ls` explanations:
   * 'user/default/workflows/portrait.json' (relative to the comfy root), or 'prompt <id>'.
   */
  readonly origin: string;
  readonly workflow: ParsedWorkflow;
  /** ms since epoch when it was seen */
  readonly at: number;
  /** The absolute path of a saved workflow file. */
  readonly file?: string;
  /** ComfyUI's prompt id of a queued prompt. */
  readonly promptId?: string;
}

/** A generation really ran: its models were read from disk. */
export interface RunSighting {
  readonly kind: 'output-image' | 'prompt-running';
  /** The same run seen twice (its queue entry while running, then its images) has the same runId (see run-id.ts). */
  readonly runId: string;
  readonly origin: string;
  readonly workflow: ParsedWorkflow;
  /** Best estimate of when the run started (first seen running in the queue; else the image's mtime). */
  readonly startedAt: number;
  /** ms since epoch when it was seen */
  readonly at: number;
  /** The absolute path of the output image. */
  readonly file?: string;
  /** ComfyUI's prompt id of a running prompt. */
  readonly promptId?: string;
}
