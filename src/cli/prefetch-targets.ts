import type { ControlClient } from '../control/control-client.js';
import { modelKey } from '../core/categories.js';
import type { ParsedWorkflow } from '../core/workflow/index.js';
import { UsageError } from './cli-errors.js';
import { isWorkflowFileName, modelKeyOf } from './model-arguments.js';
import { readWorkflowFile } from './read-workflow.js';

export interface ModelName {
  readonly category: string;
  readonly name: string;
}

/** One argument of `arenactl prefetch`: a workflow file, read and parsed here, or a model named as CATEGORY/NAME. */
export type PrefetchTarget =
  | { readonly kind: 'workflow'; readonly target: string; readonly workflow: ParsedWorkflow }
  | { readonly kind: 'model'; readonly target: string; readonly model: ModelName };

/** What a target asks for: the models it names, and its references the library lacks. */
export interface TargetModels {
  readonly target: string;
  readonly kind: PrefetchTarget['kind'];
  readonly keys: string[];
  readonly unresolved: string[];
}

/**
 * Reads every target before the daemon is asked for anything, so that a
 * typo in one of them fails the command at once and alone. A target ending
 * in .json, .png or .webp is a workflow file; anything else is CATEGORY/NAME.
 */
export async function readTargets(texts: readonly string[]): Promise<PrefetchTarget[]> {
  const targets: PrefetchTarget[] = [];
  for (const target of texts) {
    if (isWorkflowFileName(target)) {
      targets.push({ kind: 'workflow', target, workflow: await readWorkflowFile(target) });
      continue;
    }
    const model = modelKeyOf(target);
    if (model === undefined) {
      throw new UsageError(`"${target}" is neither a workflow file (.json, .png, .webp) nor CATEGORY/NAME, such as loras/style.safetensors`);
    }
    targets.push({ kind: 'model', target, model });
  }
  return targets;
}

/**
 * The models of each target, workflows resolved against the daemon's
 * catalog; the daemon is sent model names only, never a path to open.
 */
export async function modelsOfTargets(targets: readonly PrefetchTarget[], client: ControlClient): Promise<TargetModels[]> {
  const answers: TargetModels[] = [];
  for (const target of targets) {
    if (target.kind === 'model') {
      answers.push({ target: target.target, kind: 'model', keys: [`${target.model.category}/${target.model.name}`], unresolved: [] });
      continue;
    }
    const resolution = await client.request('resolve', { workflow: target.workflow });
    // A model the workflow names that is not in the library yet is asked for too: the daemon waits for it.
    const missing = resolution.unresolved.filter((ref) => ref.reason === 'not-found' && ref.category !== null);
    const keys = [
      ...new Set([
        ...resolution.refs.flatMap((ref) => (ref.key === undefined ? [] : [ref.key])),
        ...missing.flatMap((ref) => {
          const key = modelKey(ref.category!, ref.name);
          return key === undefined ? [] : [key];
        }),
      ]),
    ];
    const unresolved = resolution.unresolved.filter((ref) => !missing.includes(ref)).map((ref) => ref.message);
    answers.push({ target: target.target, kind: 'workflow', keys, unresolved });
  }
  return answers;
}

/**
 * Every model the targets name, each once, in the order the targets name
 * them: those of workflows (which the daemon waits for when they are not in
 * the library yet), and those named on their own that no workflow named.
 */
export function distinctModels(answers: readonly TargetModels[]): { ofWorkflows: ModelName[]; named: ModelName[] } {
  const ofWorkflows = new Set(answers.filter((answer) => answer.kind === 'workflow').flatMap((answer) => answer.keys));
  const named = new Set(
    answers
      .filter((answer) => answer.kind === 'model')
      .flatMap((answer) => answer.keys)
      .filter((key) => !ofWorkflows.has(key)),
  );
  return { ofWorkflows: [...ofWorkflows].map(splitKey), named: [...named].map(splitKey) };
}

function splitKey(key: string): ModelName {
  const slash = key.indexOf('/');
  return { category: key.slice(0, slash), name: key.slice(slash + 1) };
}
