import type { DeclaredModels } from './declared-models.js';
import { embeddingNamesIn } from './embeddings.js';
import { loaderInputs, vaeChoice, type LoaderInput } from './loader-table.js';
import type { ModelRef, RefVia } from './model-ref.js';
import { modelStringsIn } from './model-strings.js';
import { isPassiveType, isPromptEncoderType } from './node-kinds.js';
import type { RefCollector } from './ref-collector.js';

/** A widget or input value of a node, with its name when the format tells it. */
export interface NodeValue {
  readonly input?: string;
  readonly value: unknown;
}

/**
 * One node as the reference rules see it, whatever the format: its values
 * come with links already followed (a primitive feeding a converted widget,
 * a subgraph input fed from outside).
 */
export interface NodeView {
  readonly nodeId: string;
  readonly nodeType: string;
  readonly active: boolean;
  /** The `properties.models` the node declares (UI format only). */
  readonly declared: DeclaredModels;
  /** The value of one core loader input. */
  valueOf(input: LoaderInput): unknown;
  /** Every widget or input value of the node, in order. */
  values(): readonly NodeValue[];
}

/** Applies the reference rules (core loaders, prompt embeddings, custom loaders) to one node. */
export function collectNodeRefs(node: NodeView, workflowDeclared: DeclaredModels, out: RefCollector): void {
  const loader = loaderInputs(node.nodeType);
  if (loader !== undefined) {
    collectLoaderRefs(node, loader, out);
  } else if (isPromptEncoderType(node.nodeType)) {
    collectEmbeddingRefs(node, out);
  } else if (!isPassiveType(node.nodeType)) {
    collectCustomRefs(node, workflowDeclared, out);
  }
}

function collectLoaderRefs(node: NodeView, loader: readonly LoaderInput[], out: RefCollector): void {
  for (const spec of loader) {
    const value = node.valueOf(spec);
    if (typeof value !== 'string' || value.trim() === '') continue;
    const choice = node.nodeType === 'VAELoader' ? vaeChoice(value) : { kind: 'file' as const };
    if (choice.kind === 'none') continue;
    if (choice.kind === 'taesd') {
      for (const half of choice.halves) out.add(makeRef(node, 'vae_approx', half, 'taesd', spec.input), node.active);
    } else {
      out.add(makeRef(node, spec.category, value, 'loader', spec.input), node.active);
    }
  }
}

function collectEmbeddingRefs(node: NodeView, out: RefCollector): void {
  for (const { input, value } of node.values()) {
    if (typeof value !== 'string') continue;
    for (const name of embeddingNamesIn(value)) out.add(makeRef(node, 'embeddings', name, 'embedding', input), node.active);
  }
}

function collectCustomRefs(node: NodeView, workflowDeclared: DeclaredModels, out: RefCollector): void {
  for (const { input, value } of node.values()) {
    for (const found of modelStringsIn(value)) {
      const category = node.declared.categoryOf(found.name) ?? workflowDeclared.categoryOf(found.name) ?? null;
      out.add(makeRef(node, category, found.name, 'custom', input ?? found.key), node.active && found.active);
    }
  }
}

function makeRef(node: NodeView, category: string | null, name: string, via: RefVia, input: string | undefined): ModelRef {
  const { nodeId, nodeType } = node;
  return input === undefined ? { category, name, nodeId, nodeType, via } : { category, name, nodeId, nodeType, input, via };
}
