/** Shapes shared by every workflow format. */

export type WorkflowFormat = 'ui' | 'api';

/** How a reference was found, which decides how it is resolved. */
export type RefVia = 'loader' | 'embedding' | 'taesd' | 'custom';

export interface ModelRef {
  /**
   * Canonical category (`text_encoders`, never `clip`). Null when the workflow
   * does not say: a custom loader without `properties.models[].directory`.
   */
  category: string | null;
  /** Exactly as written in the workflow, backslashes kept; `<name>_encoder` for a taesd half. */
  name: string;
  /** The node id; inside subgraphs the execution path `outerId:innerId`, as ComfyUI writes it. */
  nodeId: string;
  nodeType: string;
  /** The input or widget name, when known (`ckpt_name`, `lora_name`, ...). */
  input?: string;
  via: RefVia;
}

export interface ParsedWorkflow {
  format: WorkflowFormat;
  container: 'json' | 'png' | 'webp';
  /** References of nodes that run. */
  refs: ModelRef[];
  /** References of muted or bypassed nodes (and of everything inside a muted or bypassed subgraph). */
  inactive: ModelRef[];
  /** Things that were skipped or guessed, one line each (a subgraph that contains itself, unusable image metadata). */
  warnings: string[];
}
