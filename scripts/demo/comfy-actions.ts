import { randomBytes } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pngWithText } from './png-text.js';

/** What ComfyUI itself would do in the demo, done the way ComfyUI does it. */

/**
 * The frontend's save: compact JSON into a `tmpXXXXXXXX` file beside the
 * target, then an atomic rename over it (ComfyUI PR #12987).
 */
export async function saveWorkflowLikeComfy(workflowsDir: string, name: string, workflow: unknown): Promise<string> {
  const target = path.join(workflowsDir, name);
  const temp = path.join(workflowsDir, `tmp${randomBytes(4).toString('hex')}`);
  await writeFile(temp, JSON.stringify(workflow));
  await rename(temp, target);
  return target;
}

/** SaveImage's output: a PNG carrying the queued prompt (API format) and the UI workflow as `tEXt` chunks. */
export async function writeOutputImageLikeComfy(outputDir: string, prompt: unknown, workflow: unknown): Promise<string> {
  const file = path.join(outputDir, 'ComfyUI_00001_.png');
  await writeFile(file, pngWithText({ prompt: JSON.stringify(prompt), workflow: JSON.stringify(workflow) }));
  return file;
}
