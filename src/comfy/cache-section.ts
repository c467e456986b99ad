/**
 * The `arena_cache` section of ComfyUI's `extra_model_paths.yaml`, edited
 * through the yaml package's document model so that the user's other
 * sections, their order and their comments survive. Pure: text in, text out;
 * model-paths-file.ts does the reading, the backup and the writing.
 */
import { isMap, isScalar, parseDocument, stringify, type Document, type Pair, type YAMLMap } from 'yaml';
import { ModelPathsFileError } from './errors.js';

/** The label of the section `arenactl comfy link` owns. */
export const CACHE_SECTION = 'arena_cache';

/** The comment that marks the section as ours, one entry per line (yaml adds the `#`). */
const SECTION_COMMENT = [
  " Arena's SSD cache, looked up first (is_default). Written by `arenactl comfy link`;",
  ' `arenactl comfy unlink` removes it. ComfyUI reads this file only when it starts.',
];

export interface CacheSection {
  /** The cache root, absolute. */
  readonly basePath: string;
  /** Canonical categories; each is also its folder's name under the cache root. */
  readonly categories: readonly string[];
}

export type LinkAction = 'created' | 'added' | 'updated' | 'unchanged';
export type UnlinkAction = 'removed' | 'absent';

export interface LinkEdit {
  readonly action: LinkAction;
  /** The new file text; equal to the input when nothing changed. */
  readonly text: string;
}

export interface UnlinkEdit {
  readonly action: UnlinkAction;
  /**
   * The new file text, or undefined when the file held nothing but the
   * section: then the file should go, because ComfyUI fails on an empty one
   * (`yaml.safe_load` gives None and it iterates over that).
   */
  readonly text: string | undefined;
}

/** What ComfyUI should read in the section, in the order it is written. */
export function sectionEntries(section: CacheSection): Array<[string, string | boolean]> {
  return [['base_path', section.basePath], ['is_default', true], ...section.categories.map((category): [string, string] => [category, category])];
}

/** The section alone, as YAML: what `comfy link --dry-run` shows. */
export function sectionYaml(section: CacheSection): string {
  return stringify({ [CACHE_SECTION]: Object.fromEntries(sectionEntries(section)) }, { lineWidth: 0 });
}

/** The indentation the user's file already uses, so that a rewrite does not re-indent it. */
function indentOf(text: string): number {
  const match = /^( +)[^\s#]/m.exec(text);
  const width = match?.[1]?.length ?? 2;
  return Math.min(Math.max(width, 2), 8);
}

function parse(text: string, file: string): Document {
  // PyYAML keeps the last of duplicate keys instead of failing, so a file ComfyUI reads must be accepted here too.
  const document = parseDocument(text, { uniqueKeys: false, prettyErrors: false });
  const error = document.errors[0];
  if (error) throw new ModelPathsFileError(file, `is not valid YAML (${error.message.split('\n')[0]})`);
  const root = document.contents;
  if (root !== null && !isMap(root) && !(isScalar(root) && root.value === null)) {
    throw new ModelPathsFileError(file, 'must hold a mapping of sections (a label, then indented base_path and folders)');
  }
  return document;
}

function render(document: Document, original: string): string {
  return document.toString({ indent: indentOf(original), lineWidth: 0 });
}

function keyOf(pair: Pair): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

function ourPairs(root: YAMLMap): Pair[] {
  return root.items.filter((pair) => keyOf(pair) === CACHE_SECTION);
}

/** True when the section already says exactly what it should (order aside, which ComfyUI ignores). */
function sameSection(value: unknown, wanted: ReadonlyArray<[string, string | boolean]>): boolean {
  if (!isMap(value)) return false;
  const current = new Map(value.items.map((pair) => [keyOf(pair), isScalar(pair.value) ? pair.value.value : pair.value]));
  return current.size === wanted.length && wanted.every(([key, expected]) => current.get(key) === expected);
}

/**
 * Adds the cache section, or brings an existing one up to date, keeping the
 * position and comments of the keys it already has. Text that already says
 * the same thing comes back unchanged, so that a second run writes nothing.
 */
export function linkSection(text: string | undefined, file: string, section: CacheSection): LinkEdit {
  const wanted = sectionEntries(section);
  const original = text ?? '';
  const document = parse(original, file);
  if (!isMap(document.contents)) document.contents = document.createNode({});
  const root = document.contents as YAMLMap;
  const existing = ourPairs(root);
  const last = existing.at(-1);

  if (last === undefined) {
    const pair = document.createPair(CACHE_SECTION, Object.fromEntries(wanted));
    const key = pair.key as { spaceBefore?: boolean; commentBefore?: string };
    key.spaceBefore = root.items.length > 0;
    key.commentBefore = SECTION_COMMENT.join('\n');
    root.items.push(pair);
    return { action: text === undefined ? 'created' : 'added', text: render(document, original) };
  }
  if (existing.length === 1 && sameSection(last.value, wanted)) return { action: 'unchanged', text: original };

  // PyYAML would read only the last of duplicate sections; keep that one and drop the rest.
  root.items = root.items.filter((pair) => pair === last || keyOf(pair) !== CACHE_SECTION);
  if (!isMap(last.value)) {
    last.value = document.createNode(Object.fromEntries(wanted));
  } else {
    const body = last.value;
    const wantedKeys = new Set(wanted.map(([key]) => key));
    body.items = body.items.filter((pair) => wantedKeys.has(keyOf(pair)));
    for (const [key, value] of wanted) {
      const pair = body.items.find((item) => keyOf(item) === key);
      if (pair === undefined) body.items.push(document.createPair(key, value));
      else if (!(isScalar(pair.value) && pair.value.value === value)) pair.value = document.createNode(value);
    }
  }
  return { action: 'updated', text: render(document, original) };
}

/** The comment lines left once ours are taken out, or undefined when none are left. */
function foreignComment(comment: string | null | undefined): string | undefined {
  if (!comment) return undefined;
  const ours = new Set(SECTION_COMMENT);
  const rest = comment.split('\n').filter((line) => !ours.has(line));
  while (rest[0]?.trim() === '') rest.shift();
  return rest.length > 0 ? rest.join('\n') : undefined;
}

function joinComments(...comments: Array<string | null | undefined>): string | undefined {
  const present = comments.filter((comment): comment is string => Boolean(comment));
  return present.length > 0 ? present.join('\n') : undefined;
}

/**
 * Removes the cache section: exactly what linkSection adds. A comment of the
 * user's that the parser attached to the section's key (the file's heading,
 * when the section came first) moves to its neighbour instead of going with it.
 */
export function unlinkSection(text: string, file: string): UnlinkEdit {
  const document = parse(text, file);
  const root = document.contents;
  if (!isMap(root) || ourPairs(root).length === 0) return { action: 'absent', text };

  for (const pair of ourPairs(root)) {
    const index = root.items.indexOf(pair);
    const keyNode = pair.key as { commentBefore?: string | null };
    const kept = foreignComment(keyNode.commentBefore);
    root.items.splice(index, 1);
    if (kept === undefined) continue;
    const next = root.items[index]?.key as { commentBefore?: string | null } | undefined;
    if (index === 0) document.commentBefore = joinComments(document.commentBefore, kept) ?? null;
    else if (next) next.commentBefore = joinComments(kept, next.commentBefore) ?? null;
    else document.comment = joinComments(kept, document.comment) ?? null;
  }
  if (root.items.length === 0 && !document.commentBefore && !document.comment) return { action: 'removed', text: undefined };
  // An empty mapping `{}` keeps a file of comments readable for ComfyUI, which iterates over it.
  return { action: 'removed', text: render(document, text) };
}
