import { isRecord } from './json-value.js';
import { PRIMITIVE_NODE_TYPE, REROUTE_TYPE } from './node-kinds.js';
import { outputLinkOf, type SubgraphDef } from './ui-definitions.js';
import { SUBGRAPH_INPUT_NODE_ID, type UiInput, type UiNode } from './ui-graph.js';
import { subgraphScope, type Scope } from './ui-scope.js';

/** Reroute chains and subgraph boundaries crossed while following one value; beyond this the graph is looping. */
const MAX_HOPS = 256;

/**
 * The value a widget really has in a UI workflow: its own stored value, or,
 * when the widget is converted to an input and linked, the value at the
 * other end of the link (a PrimitiveNode, a string node, through Reroutes,
 * across subgraph boundaries in both directions).
 */
export class UiValueResolver {
  constructor(private readonly defs: ReadonlyMap<string, SubgraphDef>) {}

  /**
   * The named widget's value. A linked widget whose source cannot be known
   * without running the graph keeps its stored value, which the frontend
   * mirrors from the source when it can.
   */
  widgetValue(scope: Scope, node: UiNode, name: string, index: number | undefined): unknown {
    const input = widgetInput(node, name);
    if (input?.link !== undefined) {
      const linked = this.linkedValue(scope, input.link);
      if (linked !== undefined && linked !== null) return linked;
    }
    const stored = node.widgetsValues;
    if (Array.isArray(stored)) return index === undefined ? undefined : stored[index];
    if (isRecord(stored)) return stored[name];
    return undefined;
  }

  /** The value arriving through a link, or undefined when the source computes it. */
  linkedValue(startScope: Scope, startLink: string): unknown {
    let scope = startScope;
    let linkId = startLink;
    for (let hop = 0; hop < MAX_HOPS; hop += 1) {
      const link = scope.graph.links.get(linkId);
      if (link === undefined) return undefined;
      if (link.originId === SUBGRAPH_INPUT_NODE_ID) {
        const step = this.fromInstanceInput(scope, link.originSlot);
        if (step === undefined) return undefined;
        if ('value' in step) return step.value;
        ({ scope, linkId } = step);
        continue;
      }
      const origin = scope.graph.nodeById.get(link.originId);
      if (origin === undefined) return undefined;
      if (origin.type === REROUTE_TYPE) {
        const next = origin.inputs[0]?.link;
        if (next === undefined) return undefined;
        linkId = next;
        continue;
      }
      const def = this.defs.get(origin.type);
      if (def !== undefined) {
        // The source is a subgraph instance: continue inside it, from the link that feeds that output.
        const inner = outputLinkOf(def, link.originSlot);
        if (inner === undefined || scope.chain.includes(def.id)) return undefined;
        scope = subgraphScope(scope, origin, def, scope.inactive);
        linkId = inner;
        continue;
      }
      return literalOf(origin, link.originSlot);
    }
    return undefined;
  }

  /**
   * Inside a subgraph, a link from the definition's input `slot`: continue
   * with the link feeding the instance's input, or take the value of the
   * instance's promoted widget.
   */
  private fromInstanceInput(scope: Scope, slot: number): { scope: Scope; linkId: string } | { value: unknown } | undefined {
    const { instance, def, parent } = scope;
    if (instance === undefined || def === undefined || parent === undefined) return undefined;
    const wanted = def.inputNames[slot];
    let input: UiInput | undefined = instance.inputs[slot];
    if (wanted !== undefined && input?.name !== wanted) input = instance.inputs.find((candidate) => candidate.name === wanted) ?? input;
    if (input === undefined) return undefined;
    if (input.link !== undefined) return { scope: parent, linkId: input.link };
    const named = instance.namedWidgetValues;
    if (named !== undefined && input.name !== undefined && Object.hasOwn(named, input.name)) return { value: named[input.name] };
    if (input.widgetName !== undefined && Array.isArray(instance.widgetsValues)) {
      // The instance stores one value per promoted input, in input order.
      const position = instance.inputs.slice(0, instance.inputs.indexOf(input)).filter((candidate) => candidate.widgetName !== undefined).length;
      const value: unknown = instance.widgetsValues[position];
      return value === undefined ? undefined : { value };
    }
    return undefined;
  }
}

/** The input that is the socket of widget `name`: a converted widget, or a plain input of that name. */
export function widgetInput(node: UiNode, name: string): UiInput | undefined {
  return node.inputs.find((input) => input.widgetName === name) ?? node.inputs.find((input) => input.widgetName === undefined && input.name === name);
}

/**
 * The literal a source node puts on output `slot`: a PrimitiveNode's value,
 * or the widget value of a node that takes no linked inputs (a string
 * literal node). A node with linked inputs computes its output: unknown.
 */
function literalOf(origin: UiNode, slot: number): unknown {
  if (origin.type !== PRIMITIVE_NODE_TYPE && origin.inputs.some((input) => input.link !== undefined)) return undefined;
  const stored = origin.widgetsValues;
  if (Array.isArray(stored)) return stored[origin.type === PRIMITIVE_NODE_TYPE ? 0 : slot];
  if (isRecord(stored)) {
    if (Object.hasOwn(stored, 'value')) return stored['value'];
    const values = Object.values(stored);
    return values.length === 1 ? values[0] : undefined;
  }
  return undefined;
}
