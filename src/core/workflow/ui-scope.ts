import type { SubgraphDef } from './ui-definitions.js';
import type { UiGraph, UiNode } from './ui-graph.js';

/**
 * Where a node sits: the root graph, or one instance of a subgraph (or a
 * legacy group node) inside its parent scope. The same definition gives a
 * different scope for every instance, because each instance feeds it
 * different inputs and runs under a different execution-id prefix.
 */
export interface Scope {
  readonly graph: UiGraph;
  /** Execution-id prefix of the nodes in this scope: '' at the root, `12:` inside instance 12. */
  readonly prefix: string;
  /** True inside a muted or bypassed instance: nothing in it runs. */
  readonly inactive: boolean;
  /** Ids of the subgraph definitions entered from the root down to here, to stop self-containment. */
  readonly chain: readonly string[];
  readonly parent?: Scope;
  /** The subgraph instance node (in the parent's graph) and its definition. */
  readonly instance?: UiNode;
  readonly def?: SubgraphDef;
}

export function rootScope(graph: UiGraph): Scope {
  return { graph, prefix: '', inactive: false, chain: [] };
}

export function subgraphScope(parent: Scope, instance: UiNode, def: SubgraphDef, inactive: boolean): Scope {
  return {
    graph: def.graph,
    prefix: `${parent.prefix}${instance.id}:`,
    inactive,
    chain: [...parent.chain, def.id],
    parent,
    instance,
    def,
  };
}

/** A legacy group node's inner nodes: no links are followed across its boundary. */
export function groupScope(parent: Scope, instance: UiNode, graph: UiGraph, inactive: boolean): Scope {
  return { graph, prefix: `${parent.prefix}${instance.id}:`, inactive, chain: parent.chain };
}
