/**
 * Sets keys in the daemon's config file through the yaml document model, so
 * that the user's comments, other keys and their order stay as they were.
 * Pure: text in, text out.
 */
import { isDeepStrictEqual } from 'node:util';
import { isMap, isScalar, parseDocument, type Document } from 'yaml';
import type { ConfigKey } from '../config/schema.js';
import { ConfigWriteError } from './errors.js';

export interface ConfigSetting {
  readonly key: ConfigKey;
  /** As written in the file (sizes as `100GiB`). */
  readonly value: unknown;
}

export interface ConfigKeyChange extends ConfigSetting {
  /** What the file said before, when it said anything. */
  readonly previous?: unknown;
  readonly action: 'set' | 'unchanged';
}

export interface ConfigEdit {
  readonly text: string;
  readonly changes: ConfigKeyChange[];
}

const HEADER = [
  ' ComfyUI Arena configuration (arenad). Keys as in config/arena.example.yaml;',
  ' `arenactl config show` prints each value and where it came from.',
].join('\n');

function parse(text: string, file: string): Document {
  const document = parseDocument(text, { prettyErrors: false });
  const error = document.errors[0];
  if (error) throw new ConfigWriteError(file, `it is not valid YAML (${error.message.split('\n')[0]}); fix it first (arenactl config check ${file})`);
  const root = document.contents;
  if (root !== null && !isMap(root) && !(isScalar(root) && root.value === null)) {
    throw new ConfigWriteError(file, 'it must hold a mapping of sections such as "cache:"; fix it first');
  }
  return document;
}

/**
 * Sets each key, nested as `section: {key: value}`, or at its dotted
 * top-level spelling (`cache.maxBytes:`) when the file already uses that.
 * Keys that already hold the value are left alone, so an unchanged run
 * returns the text as it was.
 */
export function editConfigText(text: string | undefined, file: string, settings: readonly ConfigSetting[]): ConfigEdit {
  const original = text ?? '';
  const document = parse(original, file);
  if (!isMap(document.contents)) {
    document.contents = document.createNode({});
    if (text === undefined || original.trim() === '') document.commentBefore = HEADER;
  }
  const changes: ConfigKeyChange[] = [];
  for (const { key, value } of settings) {
    const [section, name] = key.split('.') as [string, string];
    const path = document.has(key) ? [key] : [section, name];
    const current: unknown = document.getIn(path);
    const previous = current !== null && typeof current === 'object' && 'toJSON' in current ? (current as { toJSON(): unknown }).toJSON() : current;
    if (previous !== undefined && isDeepStrictEqual(previous, value)) {
      changes.push({ key, value, previous, action: 'unchanged' });
      continue;
    }
    const sectionNode = document.get(section, true);
    // `cache:` with all of its keys commented out is an empty scalar; it has to become a mapping first.
    if (path.length === 2 && sectionNode !== undefined && !isMap(sectionNode)) {
      if (!(isScalar(sectionNode) && sectionNode.value === null))
        throw new ConfigWriteError(file, `"${section}" must be a section of keys; fix it first`);
      document.set(section, document.createNode({}));
    }
    document.setIn(path, value);
    changes.push({ key, value, ...(previous === undefined ? {} : { previous }), action: 'set' });
  }
  const changed = changes.some((change) => change.action === 'set');
  return { text: changed ? document.toString({ lineWidth: 0 }) : original, changes };
}
