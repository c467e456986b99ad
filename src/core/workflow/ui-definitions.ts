import { idString, isRecord, stringOrUndefined, type JsonRecord } from './json-value.js';
import { readGraph, readNode, SUBGRAPH_OUTPUT_NODE_ID, type UiGraph, type UiNode } from './ui-graph.js';

/** A subgraph definition: its graph, and its inputs in slot order. */
export interface SubgraphDef {
  readonly id: string;
  readonly graph: UiGraph;
  readonly inputNames: readonly (string | undefined)[];
}

/**
 * Every subgraph definition of a UI workflow, keyed by id. Definitions sit in
 * `definitions.subgraphs[]` of the root and may nest inside one another's
 * `definitions`; the first definition of an id wins.
 */
export function collectSubgraphDefs(root: JsonRecord): Map<string, SubgraphDef> {
  const defs = new Map<string, SubgraphDef>();
  const pending: JsonRecord[] = [root];
  while (pending.length > 0) {
    const holder = pending.pop()!;
    const definitions = holder['definitions'];
    const subgraphs = isRecord(definitions) && Array.isArray(definitions['subgraphs']) ? definitions['subgraphs'] : [];
    for (const raw of subgraphs) {
      if (!isRecord(raw)) continue;
      const id = idString(raw['id']);
      if (id === undefined || defs.has(id)) continue;
      const inputs = Array.isArray(raw['inputs']) ? raw['inputs'] : [];
      defs.set(id, {
        id,
        graph: readGraph(raw),
        inputNames: inputs.map((input) => (isRecord(input) ? stringOrUndefined(input['name']) : undefined)),
      });
      pending.push(raw);
    }
  }
  return defs;
}

/** The link inside a definition that feeds the definition's output `slot`. */
export function outputLinkOf(def: SubgraphDef, slot: number): string | undefined {
  for (const [id, link] of def.graph.links) {
    if (link.targetId === SUBGRAPH_OUTPUT_NODE_ID && link.targetSlot === slot) return id;
  }
  return undefined;
}

/**
 * A legacy group node (frontends before subgraphs): the instance's `type` is
 * `workflow>NAME` (or `workflow/NAME` in older saves) and the inner nodes are
 * in `extra.groupNodes[NAME].nodes`.
 */
export interface GroupNodeDef {
  readonly name: string;
  readonly nodes: readonly UiNode[];
}

const GROUP_NODE_PREFIXES = ['workflow>', 'workflow/'] as const;

export function collectGroupNodeDefs(root: JsonRecord): Map<string, GroupNodeDef> {
  const defs = new Map<string, GroupNodeDef>();
  const extra = root['extra'];
  const groupNodes = isRecord(extra) && isRecord(extra['groupNodes']) ? extra['groupNodes'] : {};
  for (const [name, raw] of Object.entries(groupNodes)) {
    if (!isRecord(raw) || !Array.isArray(raw['nodes'])) continue;
    const nodes: UiNode[] = [];
    raw['nodes'].forEach((rawNode, position) => {
      // Inner nodes carry their position as `index`; ComfyUI runs them as `<instance id>:<index>`.
      const index = isRecord(rawNode) ? idString(rawNode['index']) : undefined;
      const node = readNode(isRecord(rawNode) ? { ...rawNode, id: index ?? String(position) } : rawNode);
      if (node !== undefined) nodes.push(node);
    });
    defs.set(name, { name, nodes });
  }
  return defs;
}

/** The group-node name in an instance's type, if the type names one. */
export function groupNodeName(nodeType: string): string | undefined {
  const prefix = GROUP_NODE_PREFIXES.find((candidate) => nodeType.startsWith(candidate));
  return prefix === undefined ? undefined : nodeType.slice(prefix.length);
}

/**
 * The inner nodes of one group-node instance. The instance's widget values
 * are its inner nodes' widget values laid end to end, in node order; where
 * the instance has none, an inner node keeps the values of the definition.
 */
export function groupInstanceNodes(def: GroupNodeDef, instance: UiNode): UiNode[] {
  const values: readonly unknown[] = Array.isArray(instance.widgetsValues) ? instance.widgetsValues : [];
  let cursor = 0;
  return def.nodes.map((node) => {
    const defaults: readonly unknown[] | undefined = Array.isArray(node.widgetsValues) ? node.widgetsValues : undefined;
    if (defaults === undefined) return node;
    const count = defaults.length;
    const own = values.slice(cursor, cursor + count);
    cursor += count;
    if (own.length === 0) return node;
    return { ...node, widgetsValues: own.length === count ? own : [...own, ...defaults.slice(own.length)] };
  });
}
