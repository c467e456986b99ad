/**
 * A throwaway ComfyUI install for the prediction tests (`user/`, `output/`),
 * and the ways ComfyUI writes into it: workflows saved through a temp file and
 * a rename (current frontends) or in place (older ones), output images
 * carrying their prompt and workflow.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import { pngWith, tEXt, webpWithExif } from './image-bytes.js';
import { tempDir } from './temp-dir.js';

export interface FakeComfyRootOptions {
  /** Create `user/default/workflows/` (default true). */
  readonly user?: boolean;
  /** Create `output/` (default true). */
  readonly output?: boolean;
}

export async function fakeComfyRoot(t: ExecutionContext, options: FakeComfyRootOptions = {}): Promise<string> {
  const root = await tempDir(t, 'arena-comfy-');
  if (options.user ?? true) await mkdir(path.join(root, 'user', 'default', 'workflows'), { recursive: true });
  if (options.output ?? true) await mkdir(path.join(root, 'output'), { recursive: true });
  return root;
}

/** The text of a file in test/fixtures/predict/. */
export async function readPredictFixture(name: string): Promise<string> {
  return readFile(new URL(`../fixtures/predict/${name}`, import.meta.url), 'utf8');
}

/** As the current frontend saves: compact JSON to `tmpXXXXXXXX` beside the target, then a rename into place. */
export async function saveLikeFrontend(file: string, json: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = path.join(path.dirname(file), `tmp${randomBytes(4).toString('hex')}`);
  await writeFile(temp, compact(json));
  await rename(temp, file);
}

/** One line, as ComfyUI writes workflows. */
export function compact(json: string): string {
  return JSON.stringify(JSON.parse(json));
}

/** A PNG as ComfyUI's SaveImage writes it: `prompt` and `workflow` tEXt chunks before the image data. */
export function comfyPng(metadata: { prompt?: string; workflow?: string }): Buffer {
  const chunks = [];
  if (metadata.prompt !== undefined) chunks.push(tEXt('prompt', compact(metadata.prompt)));
  if (metadata.workflow !== undefined) chunks.push(tEXt('workflow', compact(metadata.workflow)));
  return pngWith(...chunks);
}

/** A WebP as ComfyUI's SaveAnimatedWEBP writes it: EXIF tags 0x0110 `prompt:` and 0x010F `workflow:`. */
export function comfyWebp(metadata: { prompt?: string; workflow?: string }): Buffer {
  const tags = [];
  if (metadata.prompt !== undefined) tags.push({ tag: 0x0110, text: `prompt:${compact(metadata.prompt)}` });
  if (metadata.workflow !== undefined) tags.push({ tag: 0x010f, text: `workflow:${compact(metadata.workflow)}` });
  return webpWithExif(tags, { littleEndian: true, exifHeader: false });
}

/** Writes a file and its folders at once. */
export async function writeFileIn(file: string, data: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, data);
}
