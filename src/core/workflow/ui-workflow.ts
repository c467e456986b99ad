import { DeclaredModels } from './declared-models.js';
import { isRecord, type JsonRecord } from './json-value.js';
import type { LoaderInput } from './loader-table.js';
import { isInactiveMode } from './node-kinds.js';
import { collectNodeRefs, type NodeValue, type NodeView } from './node-refs.js';
import type { RefCollector } from './ref-collector.js';
import {
  collectGroupNodeDefs,
  collectSubgraphDefs,
  groupInstanceNodes,
  groupNodeName,
  type GroupNodeDef,
  type SubgraphDef,
} from './ui-definitions.js';
import { readGraph, type UiGraph, type UiInput, type UiNode } from './ui-graph.js';
import { groupScope, rootScope, subgraphScope, type Scope } from './ui-scope.js';
import { UiValueResolver, widgetInput } from './ui-values.js';
import { WorkflowError } from './workflow-error.js';

/** Nodes visited across all subgraph instances; a workflow past this is hostile or broken. */
const MAX_EXPANDED_NODES = 200_000;
/** Subgraphs nested deeper than this are not entered (real workflows nest a few levels). */
const MAX_SUBGRAPH_DEPTH = 32;

/** Subgraph ids are UUIDs; a node of such a type without a definition is a subgraph we cannot see into. */
const SUBGRAPH_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Widget names of core nodes whose saved `inputs` do not always list them. */
const KNOWN_WIDGET_NAMES: Readonly<Record<string, readonly string[]>> = {
  CLIPTextEncode: ['text'],
};

interface WalkContext {
  readonly defs: ReadonlyMap<string, SubgraphDef>;
  readonly groupDefs: ReadonlyMap<string, GroupNodeDef>;
  readonly resolver: UiValueResolver;
  readonly declared: DeclaredModels;
  readonly out: RefCollector;
}

/**
 * Collects the references of a UI-format workflow: the root graph, every
 * subgraph instance (nodes named `outerId:innerId`), and legacy group nodes.
 * The walk uses an explicit stack, so nesting depth costs no call stack.
 */
export function collectUiRefs(root: JsonRecord, out: RefCollector): void {
  const defs = collectSubgraphDefs(root);
  const context: WalkContext = {
    defs,
    groupDefs: collectGroupNodeDefs(root),
    resolver: new UiValueResolver(defs),
    declared: new DeclaredModels(root['models']),
    out,
  };
  const frames: { scope: Scope; next: number }[] = [{ scope: rootScope(readGraph(root)), next: 0 }];
  let visited = 0;
  while (frames.length > 0) {
    const frame = frames[frames.length - 1]!;
    const node = frame.scope.graph.nodes[frame.next];
    if (node === undefined) {
      frames.pop();
      continue;
    }
    frame.next += 1;
    visited += 1;
    if (visited > MAX_EXPANDED_NODES) {
      throw new WorkflowError(
        `the workflow expands to more than ${MAX_EXPANDED_NODES} nodes (counting the nodes of every subgraph instance); it is too large to read`,
      );
    }
    const inactive = frame.scope.inactive || isInactiveMode(node.mode);
    const inner = enter(context, frame.scope, node, inactive);
    if (inner === 'skip') continue;
    if (inner !== undefined) {
      frames.push({ scope: inner, next: 0 });
      continue;
    }
    if (SUBGRAPH_ID.test(node.type)) {
      out.warn(
        `node ${frame.scope.prefix}${node.id} is an instance of subgraph ${node.type}, which the workflow does not define; the models inside it are unknown`,
      );
    }
    collectNodeRefs(new UiNodeView(context.resolver, frame.scope, node, !inactive), context.declared, out);
  }
}

/** The scope of a subgraph or group-node instance; 'skip' for one that must not be entered; undefined for a plain node. */
function enter(context: WalkContext, scope: Scope, node: UiNode, inactive: boolean): Scope | 'skip' | undefined {
  const def = context.defs.get(node.type);
  if (def !== undefined) {
    if (scope.chain.includes(def.id)) {
      context.out.warn(`subgraph ${def.id} contains itself (node ${scope.prefix}${node.id}); the inner copy was skipped`);
      return 'skip';
    }
    if (scope.chain.length >= MAX_SUBGRAPH_DEPTH) {
      context.out.warn(`subgraphs nest deeper than ${MAX_SUBGRAPH_DEPTH} levels at node ${scope.prefix}${node.id}; the deeper levels were skipped`);
      return 'skip';
    }
    return subgraphScope(scope, node, def, inactive);
  }
  const groupName = groupNodeName(node.type);
  const groupDef = groupName === undefined ? undefined : context.groupDefs.get(groupName);
  if (groupDef !== undefined) {
    const nodes = groupInstanceNodes(groupDef, node);
    const graph: UiGraph = { nodes, nodeById: new Map(nodes.map((inner) => [inner.id, inner])), links: new Map() };
    return groupScope(scope, node, graph, inactive);
  }
  return undefined;
}

/** A UI node seen through the reference rules, with linked values followed. */
class UiNodeView implements NodeView {
  readonly nodeId: string;
  readonly nodeType: string;
  readonly declared: DeclaredModels;

  constructor(
    private readonly resolver: UiValueResolver,
    private readonly scope: Scope,
    private readonly node: UiNode,
    readonly active: boolean,
  ) {
    this.nodeId = `${scope.prefix}${node.id}`;
    this.nodeType = node.type;
    const models = node.properties?.['models'];
    this.declared = models === undefined ? DeclaredModels.none : new DeclaredModels(models);
  }

  valueOf(spec: LoaderInput): unknown {
    return this.resolver.widgetValue(this.scope, this.node, spec.input, spec.index);
  }

  values(): readonly NodeValue[] {
    const stored = this.node.widgetsValues;
    const values: { input?: string; value: unknown }[] = [];
    const consumed = new Set<UiInput>();
    const addWidget = (name: string | undefined, value: unknown): void => {
      const input = name === undefined ? undefined : widgetInput(this.node, name);
      let effective = value;
      if (input?.link !== undefined) {
        consumed.add(input);
        const linked = this.resolver.linkedValue(this.scope, input.link);
        if (linked !== undefined && linked !== null) effective = linked;
      }
      values.push(name === undefined ? { value: effective } : { input: name, value: effective });
    };
    if (Array.isArray(stored)) {
      const names = this.widgetNames(stored.length);
      stored.forEach((value, index) => addWidget(names[index], value));
    } else if (isRecord(stored)) {
      for (const [name, value] of Object.entries(stored)) addWidget(name, value);
    }
    // Linked inputs not matched to a stored value: a legacy converted widget, or a STRING input.
    for (const input of this.node.inputs) {
      if (input.link === undefined || consumed.has(input)) continue;
      if (input.widgetName === undefined && input.type !== 'STRING') continue;
      const linked = this.resolver.linkedValue(this.scope, input.link);
      if (linked === undefined || linked === null) continue;
      const name = input.widgetName ?? input.name;
      // The stored widget value is usually a mirror of the linked one: name it rather than count it twice.
      const mirror = values.find((candidate) => candidate.input === undefined && candidate.value === linked);
      if (mirror !== undefined && name !== undefined) mirror.input = name;
      else values.push(name === undefined ? { value: linked } : { input: name, value: linked });
    }
    return values;
  }

  /**
   * Widget names by position. Recent frontends give every widget a socket in
   * `inputs`, in widget order; when their count matches the stored values the
   * names line up. Otherwise only core nodes with a known layout are named.
   */
  private widgetNames(count: number): readonly (string | undefined)[] {
    const sockets = this.node.inputs.filter((input) => input.widgetName !== undefined);
    if (sockets.length === count) return sockets.map((input) => input.widgetName);
    return Object.hasOwn(KNOWN_WIDGET_NAMES, this.node.type) ? KNOWN_WIDGET_NAMES[this.node.type]! : [];
  }
}
