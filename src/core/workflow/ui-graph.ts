import { idString, integerOrUndefined, isRecord, stringOrUndefined, type JsonRecord } from './json-value.js';

/**
 * A UI-format graph (the root workflow, or one subgraph definition) read
 * into typed, indexed form once, so that every later lookup is by id.
 */

export interface UiInput {
  readonly name?: string;
  readonly type?: string;
  /** Set when the input is a widget's socket (a converted or promoted widget). */
  readonly widgetName?: string;
  /** The id of the link feeding the input, when connected. */
  readonly link?: string;
}

export interface UiNode {
  readonly id: string;
  readonly type: string;
  readonly mode: unknown;
  /** Usually an array in widget order; some custom nodes use an object. */
  readonly widgetsValues: unknown;
  /** Promoted widget values keyed by input name, written by some frontend versions on subgraph instances. */
  readonly namedWidgetValues?: JsonRecord;
  readonly inputs: readonly UiInput[];
  readonly properties?: JsonRecord;
}

export interface UiLink {
  readonly originId: string;
  readonly originSlot: number;
  readonly targetId?: string;
  readonly targetSlot?: number;
}

export interface UiGraph {
  readonly nodes: readonly UiNode[];
  readonly nodeById: ReadonlyMap<string, UiNode>;
  readonly links: ReadonlyMap<string, UiLink>;
}

/** Inside a subgraph definition, links from its inputs start at this node id, and links to its outputs end at the other. */
export const SUBGRAPH_INPUT_NODE_ID = '-10';
export const SUBGRAPH_OUTPUT_NODE_ID = '-20';

/** For building a readonly shape field by field, leaving absent fields out. */
type Draft<T> = { -readonly [K in keyof T]: T[K] };

export function readGraph(raw: JsonRecord): UiGraph {
  const nodes: UiNode[] = [];
  const nodeById = new Map<string, UiNode>();
  for (const rawNode of Array.isArray(raw['nodes']) ? raw['nodes'] : []) {
    const node = readNode(rawNode);
    if (node === undefined) continue;
    nodes.push(node);
    if (!nodeById.has(node.id)) nodeById.set(node.id, node);
  }
  return { nodes, nodeById, links: readLinks(raw['links']) };
}

/** A node without an id or a string type cannot be placed in the graph; it is skipped. */
export function readNode(raw: unknown, fallbackId?: string): UiNode | undefined {
  if (!isRecord(raw)) return undefined;
  const id = idString(raw['id']) ?? fallbackId;
  const type = stringOrUndefined(raw['type']);
  if (id === undefined || type === undefined) return undefined;
  const node: Draft<UiNode> = {
    id,
    type,
    mode: raw['mode'],
    widgetsValues: raw['widgets_values'],
    inputs: Array.isArray(raw['inputs']) ? raw['inputs'].map(readInput) : [],
  };
  if (isRecord(raw['widgets_values_named'])) node.namedWidgetValues = raw['widgets_values_named'];
  if (isRecord(raw['properties'])) node.properties = raw['properties'];
  return node;
}

function readInput(raw: unknown): UiInput {
  if (!isRecord(raw)) return {};
  const input: Draft<UiInput> = {};
  const name = stringOrUndefined(raw['name']);
  const type = stringOrUndefined(raw['type']);
  const widgetName = isRecord(raw['widget']) ? stringOrUndefined(raw['widget']['name']) : undefined;
  const link = idString(raw['link']);
  if (name !== undefined) input.name = name;
  if (type !== undefined) input.type = type;
  if (widgetName !== undefined) input.widgetName = widgetName;
  if (link !== undefined) input.link = link;
  return input;
}

/**
 * Links come as arrays `[id, origin_id, origin_slot, target_id, target_slot, type]`
 * (schema 0.4), as objects `{id, origin_id, ...}` (schema 1 and subgraphs),
 * in a list or in an object keyed by id.
 */
function readLinks(raw: unknown): Map<string, UiLink> {
  const links = new Map<string, UiLink>();
  const items = Array.isArray(raw) ? raw : isRecord(raw) ? Object.values(raw) : [];
  for (const item of items) {
    const parsed = Array.isArray(item)
      ? linkFrom(item[0], item[1], item[2], item[3], item[4])
      : isRecord(item)
        ? linkFrom(item['id'], item['origin_id'], item['origin_slot'], item['target_id'], item['target_slot'])
        : undefined;
    if (parsed !== undefined && !links.has(parsed.id)) links.set(parsed.id, parsed.link);
  }
  return links;
}

function linkFrom(
  rawId: unknown,
  rawOrigin: unknown,
  rawOriginSlot: unknown,
  rawTarget: unknown,
  rawTargetSlot: unknown,
): { id: string; link: UiLink } | undefined {
  const id = idString(rawId);
  const originId = idString(rawOrigin);
  const originSlot = integerOrUndefined(rawOriginSlot);
  if (id === undefined || originId === undefined || originSlot === undefined) return undefined;
  const link: Draft<UiLink> = { originId, originSlot };
  const targetId = idString(rawTarget);
  const targetSlot = integerOrUndefined(rawTargetSlot);
  if (targetId !== undefined) link.targetId = targetId;
  if (targetSlot !== undefined) link.targetSlot = targetSlot;
  return { id, link };
}
