import fs from 'node:fs';
import { UsageError } from './cli-errors.js';

/** `CATEGORY/NAME` as typed: a category of letters, digits, `_`, `-`, `.`, then a name. */
export function parseModelArgument(text: string): { category: string; name: string } {
  const slash = text.indexOf('/');
  const category = text.slice(0, slash);
  if (slash <= 0 || slash === text.length - 1 || !/^[\w.-]+$/.test(category)) {
    throw new UsageError(`"${text}" is not CATEGORY/NAME, such as loras/style.safetensors`);
  }
  return { category, name: text.slice(slash + 1) };
}

/** A workflow file when the path exists, else a model key. */
export function isWorkflowPath(text: string): boolean {
  try {
    return fs.statSync(text).isFile();
  } catch {
    return false;
  }
}
