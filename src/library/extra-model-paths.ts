/**
 * Reads ComfyUI's `extra_model_paths.yaml` the way ComfyUI's
 * `utils/extra_config.py` does, so that the library sees the same folders in
 * the same order. Where ComfyUI would crash (a YAML list, a missing value),
 * the entry becomes a problem for the user and is skipped.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { canonicalCategory } from '../core/categories.js';
import { messageOf } from '../core/arena-error.js';

/** One folder that one section of the file adds to one category. */
export interface ExtraPathEntry {
  /** Canonical category: `clip` is read as text_encoders and `unet` as diffusion_models. */
  readonly category: string;
  readonly dir: string;
  /** `is_default: true`: ComfyUI puts the folder at the front of the category's lookup list. */
  readonly isDefault: boolean;
  /** The section's label (the top-level key). */
  readonly section: string;
  /** The section's expanded, absolute `base_path`, when it has one. */
  readonly basePath: string | undefined;
}

export interface ExtraPathsFile {
  /** In file order; ComfyUI applies them one by one. */
  readonly entries: ExtraPathEntry[];
  readonly problems: string[];
}

export interface PathExpansion {
  readonly env: NodeJS.ProcessEnv;
  readonly homeDir: string;
}

/**
 * Python's `os.path.expandvars(os.path.expanduser(value))`: a leading `~` is
 * the home folder, `$NAME` and `${NAME}` are environment variables, and a
 * variable that is not set stays as written.
 */
export function expandUserAndVars(value: string, expansion: PathExpansion): string {
  const withHome = value === '~' || value.startsWith('~/') ? expansion.homeDir + value.slice(1) : value;
  return withHome.replace(/\$(\w+|\{[^}]*\})/g, (whole, name: string) => {
    const key = name.startsWith('{') ? name.slice(1, -1) : name;
    return expansion.env[key] ?? whole;
  });
}

class ProblemList {
  readonly items: string[] = [];

  constructor(
    private readonly file: string,
    private readonly lines: LineCounter,
  ) {}

  add(node: Node | null | undefined, message: string): void {
    const offset = node?.range?.[0];
    const where = offset === undefined ? '' : ` line ${this.lines.linePos(offset).line}`;
    this.items.push(`${this.file}${where}: ${message}`);
  }
}

/** Top-level and section keys, keeping the last of duplicate keys as PyYAML does. */
function pairsOf(map: Node): Array<{ key: string; keyNode: Node | null; value: Node | null }> {
  const pairs = new Map<string, { key: string; keyNode: Node | null; value: Node | null }>();
  if (!isMap(map)) return [];
  for (const item of map.items) {
    const keyNode = item.key as Node | null;
    const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
    pairs.set(key, { key, keyNode, value: item.value as Node | null });
  }
  return [...pairs.values()];
}

function isEmptyNode(node: Node | null): boolean {
  return node === null || (isScalar(node) && node.value === null);
}

function readSection(section: string, body: Node, yamlDir: string, expansion: PathExpansion, problems: ProblemList): ExtraPathEntry[] {
  const pairs = pairsOf(body);
  let basePath: string | undefined;
  let isDefault = false;
  for (const { key, value } of pairs) {
    if (key === 'base_path') {
      if (isScalar(value) && typeof value.value === 'string') {
        const expanded = expandUserAndVars(value.value, expansion);
        if (expanded !== '') basePath = path.resolve(yamlDir, expanded);
      } else if (!isEmptyNode(value)) {
        problems.add(value, `section '${section}': base_path must be a folder path`);
      }
    } else if (key === 'is_default') {
      isDefault = isScalar(value) && Boolean(value.value);
    }
  }

  const entries: ExtraPathEntry[] = [];
  for (const { key, keyNode, value } of pairs) {
    if (key === 'base_path' || key === 'is_default') continue;
    if (isSeq(value)) {
      problems.add(value, `a YAML list is not allowed for '${key}'; use a multi-line string (${key}: |)`);
      continue;
    }
    if (!isScalar(value) || typeof value.value !== 'string') {
      problems.add(value ?? keyNode, `'${key}' in section '${section}' must be a folder path, or several on separate lines`);
      continue;
    }
    for (const line of value.value.split('\n')) {
      if (line.length === 0) continue;
      const dir = basePath === undefined ? path.resolve(yamlDir, line) : path.resolve(basePath, line);
      entries.push({ category: canonicalCategory(key), dir, isDefault, section, basePath });
    }
  }
  return entries;
}

/** Parses the text of an `extra_model_paths.yaml`; `file` names it in problems and anchors relative paths. */
export function parseExtraModelPaths(text: string, file: string, expansion: PathExpansion): ExtraPathsFile {
  const lines = new LineCounter();
  const problems = new ProblemList(file, lines);
  const document = parseDocument(text, { lineCounter: lines, uniqueKeys: false });
  if (document.errors.length > 0) {
    for (const error of document.errors) {
      const line = error.linePos?.[0].line;
      const message = error.message.split(' at line ')[0];
      problems.items.push(`${file}${line === undefined ? '' : ` line ${line}`}: ${message}`);
    }
    return { entries: [], problems: problems.items };
  }
  const root = document.contents as Node | null;
  if (isEmptyNode(root)) return { entries: [], problems: [] };
  if (!isMap(root)) {
    problems.add(root, 'expected sections (label: {base_path, category: folder, ...}) at the top level');
    return { entries: [], problems: problems.items };
  }

  const yamlDir = path.dirname(path.resolve(file));
  const entries: ExtraPathEntry[] = [];
  for (const { key, keyNode, value } of pairsOf(root)) {
    if (isEmptyNode(value)) continue;
    if (!isMap(value)) {
      problems.add(value ?? keyNode, `section '${key}' must map categories to folders`);
      continue;
    }
    entries.push(...readSection(key, value, yamlDir, expansion, problems));
  }
  return { entries, problems: problems.items };
}

/**
 * Reads one file. A missing file is fine for ComfyUI's own (most installs have
 * none) and a problem for one the user named explicitly.
 */
export async function readExtraModelPaths(file: string, options: PathExpansion & { required: boolean }): Promise<ExtraPathsFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    if (missing && !options.required) return { entries: [], problems: [] };
    return { entries: [], problems: [`${file}: cannot be read (${messageOf(error)})`] };
  }
  return parseExtraModelPaths(text, file, options);
}
