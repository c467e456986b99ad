/**
 * Node types that need special handling whatever the format: prompt encoders
 * (where embeddings are named), and nodes whose values belong to someone
 * else or to nobody (notes, reroutes, primitives).
 */

/** Core primitive nodes: their value flows into the node they feed, which is where it counts. */
const PRIMITIVE_TYPES: ReadonlySet<string> = new Set([
  'PrimitiveNode',
  'PrimitiveString',
  'PrimitiveStringMultiline',
  'PrimitiveInt',
  'PrimitiveFloat',
  'PrimitiveBoolean',
]);

export const REROUTE_TYPE = 'Reroute';

/** The frontend-only node whose single widget value travels along its output link. */
export const PRIMITIVE_NODE_TYPE = 'PrimitiveNode';

/**
 * The CLIPTextEncode family and custom prompt encoders (`BNK_CLIPTextEncodeAdvanced`,
 * `TextEncodeQwenImageEdit`, ...): their text may name embeddings.
 */
export function isPromptEncoderType(nodeType: string): boolean {
  return nodeType.includes('TextEncode');
}

export function isPrimitiveType(nodeType: string): boolean {
  return PRIMITIVE_TYPES.has(nodeType);
}

/** `Note`, `MarkdownNote`, `Note Plus (mtb)`, ... but not `ImpactNotEmptySEGS`. */
const NOTE_TYPE = /Note(?![a-z])/;

/**
 * Nodes never scanned for model names of their own: notes (their text often
 * mentions files to download), reroutes, and primitives.
 */
export function isPassiveType(nodeType: string): boolean {
  return nodeType === REROUTE_TYPE || isPrimitiveType(nodeType) || NOTE_TYPE.test(nodeType);
}

/** Modes under which ComfyUI does not run a node: 2 = muted ("never"), 4 = bypassed. */
export function isInactiveMode(mode: unknown): boolean {
  return mode === 2 || mode === 4;
}
