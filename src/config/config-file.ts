import fs from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, type Node, type Pair } from 'yaml';
import { locationOf, type Assignment, type ConfigProblem, type ConfigSource, type SourceReading } from './sources.js';
import { PLANNED_KEYS, plannedKey, plannedMessage } from './reserved-names.js';
import { closestMatch, didYouMean } from '../core/did-you-mean.js';
import type { ConfigKey, Platform } from './schema.js';

export const SYSTEM_CONFIG_FILE = '/etc/arena/config.yaml';

export function userConfigFile(platform: Pick<Platform, 'env' | 'home'>): string {
  return path.join(platform.env.XDG_CONFIG_HOME || path.join(platform.home, '.config'), 'arena', 'config.yaml');
}

export interface LocatedConfigFile {
  readonly file: string;
  /** Named by `--config` or `ARENA_CONFIG`: then a missing file is an error, not a default. */
  readonly explicit: boolean;
}

/** `--config`, else `ARENA_CONFIG`, else the user's file, else the system's, whichever exists first. */
export function locateConfigFile(explicit: string | undefined, platform: Platform): LocatedConfigFile | undefined {
  const named = explicit ?? platform.env.ARENA_CONFIG;
  if (named) return { file: path.resolve(platform.cwd, named), explicit: true };
  const found = [userConfigFile(platform), SYSTEM_CONFIG_FILE].find((candidate) => platform.exists(candidate));
  return found === undefined ? undefined : { file: found, explicit: false };
}

function nameOf(pair: Pair): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

/**
 * Reads a YAML or JSON config file into assignments, each with its line.
 * Keys nest in sections as docs/configuration.md shows them
 * (`cache: {maxBytes: ...}`); dotted top-level keys (`cache.maxBytes: ...`)
 * are accepted too.
 */
export function readConfigFile(file: string, knownKeys: readonly ConfigKey[]): SourceReading {
  const assignments: Assignment[] = [];
  const problems: ConfigProblem[] = [];
  const at = (line?: number): ConfigSource => ({ kind: 'file', file, ...(line === undefined ? {} : { line }) });
  const fail = (message: string, line?: number, key?: string) =>
    problems.push({ severity: 'error', source: at(line), message, ...(key === undefined ? {} : { key }) });

  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    fail(`config file ${file} cannot be read: ${code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' ? 'permission denied' : String(error)}`);
    return { assignments, problems };
  }

  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const lineOf = (node: unknown): number | undefined => {
    const range = (node as Node | null | undefined)?.range;
    return range ? lineCounter.linePos(range[0]).line : undefined;
  };
  for (const error of document.errors) {
    const line = lineCounter.linePos(error.pos[0]).line;
    fail(`config file ${file}:${line} is not valid YAML or JSON: ${error.message.split('\n')[0]}`, line);
  }
  if (problems.length > 0) return { assignments, problems };

  const root = document.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) return { assignments, problems };
  if (!isMap(root)) {
    fail(`config file ${file} must hold a mapping of sections such as "cache:" and "library:"`, lineOf(root) ?? 1);
    return { assignments, problems };
  }

  // Keys fixed for features still to come are accepted (with a warning), so their sections are sections too.
  const candidates = [...knownKeys, ...PLANNED_KEYS];
  const sections = new Set(candidates.map((known) => known.split('.')[0]!));
  const addLeaf = (dotted: string, pair: Pair) => {
    const source = at(lineOf(pair.key) ?? lineOf(pair.value));
    const planned = plannedKey(dotted);
    if (planned) {
      problems.push({ severity: 'warning', key: dotted, source, message: plannedMessage(planned, dotted, locationOf(source)) });
    } else if (!(knownKeys as readonly string[]).includes(dotted)) {
      const message = `unknown key "${dotted}" ${locationOf(source)}${didYouMean(closestMatch(dotted, candidates))}`;
      problems.push({ severity: 'warning', unknown: true, key: dotted, source, message });
    } else {
      assignments.push({ key: dotted as ConfigKey, raw: (pair.value as Node | null)?.toJSON() ?? null, source });
    }
  };

  for (const pair of root.items) {
    const name = nameOf(pair);
    if (name.includes('.') || !sections.has(name)) addLeaf(name, pair);
    else if (isMap(pair.value)) for (const inner of pair.value.items) addLeaf(`${name}.${nameOf(inner)}`, inner);
    else if (pair.value !== null && !(isScalar(pair.value) && pair.value.value === null)) {
      const line = lineOf(pair.key);
      fail(
        `"${name}" in ${file}${line === undefined ? '' : `:${line}`} must be a section of keys (for example "${name}:" followed by indented keys)`,
        line,
        name,
      );
    }
    // Otherwise a section whose keys are all commented out: nothing to set.
  }
  return { assignments, problems };
}
