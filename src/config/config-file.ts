import fs from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, type Node, type Pair } from 'yaml';
import { locationOf, type Assignment, type ConfigProblem, type ConfigSource, type SourceReading } from './sources.js';
import { plannedKey, plannedMessage, RESERVED_NAMES } from './reserved-names.js';
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
  for (const candidate of [userConfigFile(platform), SYSTEM_CONFIG_FILE]) {
    if (platform.exists(candidate)) return { file: candidate, explicit: false };
  }
  return undefined;
}

/**
 * Reads a YAML or JSON config file into assignments, each with its line.
 * Keys nest as in the CONTRACT table (`cache: {maxBytes: ...}`); dotted
 * top-level keys (`cache.maxBytes: ...`) are accepted too.
 */
export function readConfigFile(file: string, knownKeys: readonly ConfigKey[]): SourceReading {
  const assignments: Assignment[] = [];
  const problems: ConfigProblem[] = [];
  const fileSource: ConfigSource = { kind: 'file', file };

  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' ? 'permission denied' : String(error);
    problems.push({ severity: 'error', source: fileSource, message: `config file ${file} cannot be read: ${reason}` });
    return { assignments, problems };
  }

  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const lineOf = (node: Node | null | undefined): number | undefined =>
    node?.range ? lineCounter.linePos(node.range[0]).line : undefined;

  for (const error of document.errors) {
    const line = lineCounter.linePos(error.pos[0]).line;
    problems.push({
      severity: 'error',
      source: { kind: 'file', file, line },
      message: `config file ${file}:${line} is not valid YAML or JSON: ${error.message.split('\n')[0]}`,
    });
  }
  if (problems.length > 0) return { assignments, problems };

  const root = document.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) return { assignments, problems };
  if (!isMap(root)) {
    problems.push({
      severity: 'error',
      source: { kind: 'file', file, line: lineOf(root) ?? 1 },
      message: `config file ${file} must hold a mapping of sections such as "cache:" and "library:"`,
    });
    return { assignments, problems };
  }

  // Keys the contract fixes for features still to come are accepted (with a warning), so they are sections too.
  const plannedKeys = RESERVED_NAMES.flatMap((entry) => (entry.kind === 'planned' ? [entry.key] : []));
  const sections = new Set([...knownKeys, ...plannedKeys].map((known) => known.split('.')[0]!));
  const keySet = new Set<string>(knownKeys);

  const addLeaf = (dotted: string, pair: Pair) => {
    const line = lineOf(pair.key as Node) ?? lineOf(pair.value as Node);
    const source: ConfigSource = { kind: 'file', file, ...(line === undefined ? {} : { line }) };
    const planned = plannedKey(dotted);
    if (planned) {
      problems.push({ severity: 'warning', key: dotted, source, message: plannedMessage(planned, dotted, locationOf(source)) });
      return;
    }
    if (!keySet.has(dotted)) {
      problems.push({
        severity: 'warning',
        unknown: true,
        key: dotted,
        source,
        message: `unknown key "${dotted}" ${locationOf(source)}${didYouMean(closestMatch(dotted, [...knownKeys, ...plannedKeys]))}`,
      });
      return;
    }
    const value = pair.value as Node | null;
    assignments.push({ key: dotted as ConfigKey, raw: value === null ? null : value.toJSON(), source });
  };

  for (const pair of root.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    if (name.includes('.')) {
      addLeaf(name, pair);
    } else if (sections.has(name) && isMap(pair.value)) {
      for (const inner of pair.value.items) {
        const innerName = isScalar(inner.key) ? String(inner.key.value) : String(inner.key);
        addLeaf(`${name}.${innerName}`, inner);
      }
    } else if (sections.has(name) && (pair.value === null || (isScalar(pair.value) && pair.value.value === null))) {
      // A section whose keys are all commented out: nothing to set.
      continue;
    } else if (sections.has(name)) {
      const line = lineOf(pair.key as Node);
      problems.push({
        severity: 'error',
        key: name,
        source: { kind: 'file', file, ...(line === undefined ? {} : { line }) },
        message: `"${name}" in ${file}${line === undefined ? '' : `:${line}`} must be a section of keys (for example "${name}:" followed by indented keys)`,
      });
    } else {
      addLeaf(name, pair);
    }
  }
  return { assignments, problems };
}
