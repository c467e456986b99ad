import { apiNodes, collectApiRefs } from './api-workflow.js';
import { describeJsonType, isRecord } from './json-value.js';
import type { ParsedWorkflow } from './model-ref.js';
import { RefCollector } from './ref-collector.js';
import { collectUiRefs } from './ui-workflow.js';
import { WorkflowError } from './workflow-error.js';

/** `{prompt: {prompt: ...}}` nests at most this deep in real clients. */
const MAX_WRAPPERS = 4;

/**
 * Reads an already-parsed JSON value: a UI workflow (`nodes[]`), a bare API
 * prompt (`{"<id>": {class_type, inputs}}`), or an API prompt wrapped as
 * `{prompt: ...}` or `{input: {workflow: ...}}`.
 */
export function parseWorkflowValue(value: unknown): ParsedWorkflow {
  return parseWorkflowValueIn(value, 'json');
}

export function parseWorkflowValueIn(value: unknown, container: ParsedWorkflow['container']): ParsedWorkflow {
  let current = value;
  let where = 'the JSON';
  for (let depth = 0; depth <= MAX_WRAPPERS; depth += 1) {
    if (!isRecord(current)) throw new WorkflowError(`not a workflow: ${where} is ${describeJsonType(current)}`);
    if (Object.hasOwn(current, 'nodes')) {
      if (!Array.isArray(current['nodes'])) {
        throw new WorkflowError(`not a workflow: "nodes" in ${where} is ${describeJsonType(current['nodes'])}, not an array`);
      }
      const out = new RefCollector();
      collectUiRefs(current, out);
      return { format: 'ui', container, refs: out.refs, inactive: out.inactive, warnings: out.warnings };
    }
    const wrapped = unwrap(current);
    if (wrapped !== undefined) {
      current = wrapped.value;
      where = wrapped.where;
      continue;
    }
    const nodes = apiNodes(current);
    if (nodes.size === 0) {
      if (Object.keys(current).length === 0) throw new WorkflowError(`not a workflow: ${where} is an empty object`);
      throw new WorkflowError(`not a workflow: ${where} has no "nodes" array (UI format) and no node with a "class_type" (API format)`);
    }
    const out = new RefCollector();
    collectApiRefs(nodes, out);
    return { format: 'api', container, refs: out.refs, inactive: out.inactive, warnings: out.warnings };
  }
  throw new WorkflowError(`not a workflow: wrapped more than ${MAX_WRAPPERS} levels deep`);
}

/** `{prompt: X}` (ComfyUI's /prompt body, queue clients) and `{input: {workflow: X}}` (serverless runners). */
function unwrap(value: Record<string, unknown>): { value: unknown; where: string } | undefined {
  if (isRecord(value['prompt'])) return { value: value['prompt'], where: '"prompt"' };
  const input = value['input'];
  if (isRecord(input) && isRecord(input['workflow'])) return { value: input['workflow'], where: '"input.workflow"' };
  return undefined;
}
