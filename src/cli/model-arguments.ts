import { UsageError } from './cli-errors.js';

/** `CATEGORY/NAME` as typed: a category of letters, digits, `_`, `-`, `.`, then a name. */
export function parseModelArgument(text: string): { category: string; name: string } {
  const model = modelKeyOf(text);
  if (model === undefined) throw new UsageError(`"${text}" is not CATEGORY/NAME, such as loras/style.safetensors`);
  return model;
}

/** The category and name of `CATEGORY/NAME`, or undefined when the text is not of that form. */
export function modelKeyOf(text: string): { category: string; name: string } | undefined {
  const slash = text.indexOf('/');
  const category = text.slice(0, slash);
  if (slash <= 0 || slash === text.length - 1 || !/^[\w.-]+$/.test(category)) return undefined;
  return { category, name: text.slice(slash + 1) };
}

/** The files a workflow comes in: ComfyUI's saved JSON and the images it writes with the workflow inside. */
export const WORKFLOW_FILE_EXTENSIONS = ['.json', '.png', '.webp'] as const;

/**
 * Whether a command-line target names a workflow file rather than a model:
 * by its extension alone, never by what happens to exist in the current
 * folder, so that `checkpoints/x.safetensors` stays a model key even when
 * typed in a library root, and a mistyped `portrait.json` is reported as a
 * missing file instead of being read as a model name.
 */
export function isWorkflowFileName(text: string): boolean {
  const lower = text.toLowerCase();
  return WORKFLOW_FILE_EXTENSIONS.some((extension) => lower.endsWith(extension));
}
