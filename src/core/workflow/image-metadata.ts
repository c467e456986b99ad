import { isPng, readPngTextChunks } from './png-metadata.js';
import { isWebp, readWebpPrefixedTexts } from './webp-metadata.js';
import { WorkflowError } from './workflow-error.js';

export type ImageContainer = 'png' | 'webp';

export interface ImageMetadata {
  /** The UI-format workflow JSON text, as embedded. */
  workflow?: string;
  /** The API-format prompt JSON text that ran, as embedded. */
  prompt?: string;
  container: ImageContainer;
}

const KEYS: ReadonlySet<string> = new Set(['prompt', 'workflow']);

/** Which container the bytes are: a PNG, a WebP, or anything else (read as JSON). */
export function sniffContainer(bytes: Uint8Array): ImageContainer | 'json' {
  if (isPng(bytes)) return 'png';
  if (isWebp(bytes)) return 'webp';
  return 'json';
}

/**
 * The workflow and prompt texts embedded in a ComfyUI output image. Throws
 * WorkflowError for bytes that are not a PNG or WebP, or whose structure is
 * broken; an image without metadata gives neither text.
 */
export function extractImageMetadata(bytes: Uint8Array): ImageMetadata {
  const container = sniffContainer(bytes);
  if (container === 'json') throw new WorkflowError('not a PNG or WebP image');
  const texts = container === 'png' ? readPngTextChunks(bytes, KEYS) : readWebpPrefixedTexts(bytes, KEYS);
  const metadata: ImageMetadata = { container };
  const workflow = texts.get('workflow');
  const prompt = texts.get('prompt');
  if (workflow !== undefined) metadata.workflow = workflow;
  if (prompt !== undefined) metadata.prompt = prompt;
  return metadata;
}
