/**
 * Workflow parsing: which models a ComfyUI workflow (UI or API JSON, or the
 * metadata of an output PNG or WebP) will load.
 */
export type { ModelRef, ParsedWorkflow, RefVia, WorkflowFormat } from './model-ref.js';
export { WorkflowError } from './workflow-error.js';
export { parseWorkflowBytes, type ParseWorkflowOptions } from './parse-workflow.js';
export { parseWorkflowValue } from './workflow-value.js';
export { extractImageMetadata, type ImageMetadata } from './image-metadata.js';
export { embeddingNamesIn } from './embeddings.js';
