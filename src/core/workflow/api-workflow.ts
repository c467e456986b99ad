import { DeclaredModels } from './declared-models.js';
import { idString, integerOrUndefined, isRecord, type JsonRecord } from './json-value.js';
import type { LoaderInput } from './loader-table.js';
import { isPrimitiveType, isPromptEncoderType } from './node-kinds.js';
import { collectNodeRefs, type NodeValue, type NodeView } from './node-refs.js';
import type { RefCollector } from './ref-collector.js';

/** Links followed to find a literal; API prompts are DAGs, so this only stops malformed cycles. */
const MAX_HOPS = 64;

/** An API-format node: `{class_type, inputs}`. */
interface ApiNode {
  readonly classType: string;
  readonly inputs: JsonRecord;
}

/** Nodes of an API prompt that have a string `class_type`; others are not nodes. */
export function apiNodes(prompt: JsonRecord): Map<string, ApiNode> {
  const nodes = new Map<string, ApiNode>();
  for (const [id, raw] of Object.entries(prompt)) {
    if (!isRecord(raw) || typeof raw['class_type'] !== 'string') continue;
    nodes.set(id, { classType: raw['class_type'], inputs: isRecord(raw['inputs']) ? raw['inputs'] : {} });
  }
  return nodes;
}

/**
 * Collects the references of an API-format prompt. Every node is active:
 * the frontend leaves muted nodes out and wires around bypassed ones when it
 * builds a prompt.
 */
export function collectApiRefs(nodes: ReadonlyMap<string, ApiNode>, out: RefCollector): void {
  for (const [id, node] of nodes) collectNodeRefs(new ApiNodeView(nodes, id, node), DeclaredModels.none, out);
}

class ApiNodeView implements NodeView {
  readonly nodeType: string;
  readonly active = true;
  readonly declared = DeclaredModels.none;

  constructor(
    private readonly nodes: ReadonlyMap<string, ApiNode>,
    readonly nodeId: string,
    private readonly node: ApiNode,
  ) {
    this.nodeType = node.classType;
  }

  valueOf(spec: LoaderInput): unknown {
    return resolveInput(this.nodes, this.node.inputs[spec.input], 'any-literal-node');
  }

  /**
   * API inputs carry no type: a custom node's `model` input linked to a
   * loader must not read as that loader's file name, so links are followed
   * only to primitives, except for prompt text (which only matters when it
   * names an embedding).
   */
  values(): readonly NodeValue[] {
    const sources = isPromptEncoderType(this.nodeType) ? 'any-literal-node' : 'primitives';
    return Object.entries(this.node.inputs).map(([input, value]) => ({ input, value: resolveInput(this.nodes, value, sources) }));
  }
}

type LiteralSources = 'primitives' | 'any-literal-node';

/**
 * An input's literal value. A link `[source_id, slot]` is followed to a node
 * that only holds a literal (PrimitiveString, a string literal node); the
 * output of any other node is computed at run time, so unknown.
 */
function resolveInput(nodes: ReadonlyMap<string, ApiNode>, value: unknown, sources: LiteralSources): unknown {
  let current = value;
  for (let hop = 0; hop < MAX_HOPS; hop += 1) {
    const link = asLink(current);
    if (link === undefined) return current;
    const source = nodes.get(link);
    if (source === undefined) return undefined;
    current = literalOf(source, sources);
  }
  return undefined;
}

function asLink(value: unknown): string | undefined {
  if (!Array.isArray(value) || value.length !== 2 || integerOrUndefined(value[1]) === undefined) return undefined;
  return idString(value[0]);
}

/**
 * What a source node outputs, when that is one of its own inputs: a core
 * primitive's `value`; or, when allowed, the `value` or single input of a
 * custom string-literal node.
 */
function literalOf(source: ApiNode, sources: LiteralSources): unknown {
  if (isPrimitiveType(source.classType)) return source.inputs['value'];
  if (sources === 'primitives') return undefined;
  if (Object.hasOwn(source.inputs, 'value')) return source.inputs['value'];
  const entries = Object.values(source.inputs);
  return entries.length === 1 ? entries[0] : undefined;
}
