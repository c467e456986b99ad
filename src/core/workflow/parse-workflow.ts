import { extractImageMetadata, sniffContainer, type ImageMetadata } from './image-metadata.js';
import { parseJsonBytes, parseJsonText } from './json-text.js';
import type { ParsedWorkflow, WorkflowFormat } from './model-ref.js';
import { parseWorkflowValueIn } from './workflow-value.js';
import { WorkflowError } from './workflow-error.js';

export interface ParseWorkflowOptions {
  /**
   * For images that carry both: read the `prompt` (API, what really ran; the
   * default) or the `workflow` (UI). The other is the fallback when the
   * preferred one is missing or unusable.
   */
  prefer?: WorkflowFormat;
}

/** Parses a workflow file's bytes: a PNG, a WebP, or JSON in UI or API format. */
export function parseWorkflowBytes(bytes: Uint8Array, options: ParseWorkflowOptions = {}): ParsedWorkflow {
  if (bytes.length === 0) throw new WorkflowError('empty file');
  if (sniffContainer(bytes) === 'json') return parseWorkflowValueIn(parseJsonBytes(bytes), 'json');
  return parseImageMetadata(extractImageMetadata(bytes), options.prefer ?? 'api');
}

function parseImageMetadata(metadata: ImageMetadata, prefer: WorkflowFormat): ParsedWorkflow {
  const order = prefer === 'api' ? (['prompt', 'workflow'] as const) : (['workflow', 'prompt'] as const);
  const label = metadata.container === 'png' ? 'PNG' : 'WebP';
  const failures: string[] = [];
  for (const key of order) {
    const text = metadata[key];
    if (text === undefined) continue;
    try {
      const parsed = parseWorkflowValueIn(parseJsonText(text), metadata.container);
      if (failures.length > 0) parsed.warnings.unshift(`${label} ${failures.join('; ')}; used the ${key} metadata instead`);
      return parsed;
    } catch (error) {
      if (!(error instanceof WorkflowError)) throw error;
      failures.push(`${key} metadata is unusable (${error.message})`);
    }
  }
  if (failures.length === 0) throw new WorkflowError(`${label} has no workflow or prompt metadata`);
  throw new WorkflowError(`${label} ${failures.join('; ')}`);
}
