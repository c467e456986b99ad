/**
 * The old nodes' settings, from `<comfy>/user/arena_autocache.env` and the
 * environment, turned into config values with a verdict for every variable:
 * mapped onto a key, or dropped and why. The mapping itself is the daemon's
 * (readVariables in config/environment.ts) and each value is checked by the
 * key's own format, so what migrate writes is what the daemon would have
 * read from the same lines.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describeSource, type Assignment, type ConfigProblem, type ConfigSource } from '../config/sources.js';
import { LEGACY_ENV_FILE, parseEnvText } from '../config/env-file.js';
import { readVariables } from '../config/environment.js';
import { InvalidValue } from '../config/errors.js';
import { FORMATS, parseValue } from '../config/formats.js';
import { buildSchema, schemaEntries, type ConfigKey, type KeyDefinition, type Platform } from '../config/schema.js';
import { errorCode } from '../cache/fs-errors.js';
import { configFileValue } from './config-values.js';
import { droppedReason, isWindowsPath, OLD_NODE_VARIABLES, OLD_PATH_VARIABLES } from './legacy-variables.js';

export interface LegacySetting {
  readonly variable: string;
  readonly value: string;
  /** `<file>:<line>`, or `environment`. */
  readonly source: string;
  readonly status: 'mapped' | 'dropped';
  readonly key?: ConfigKey;
  /** The value as the config file gets it (mapped only). */
  readonly configValue?: unknown;
  readonly reason: string;
}

export interface LegacySettings {
  /** The env file, when there is one. */
  readonly envFile: string | null;
  /** In the order they were read: the env file's lines, then the environment's variables. */
  readonly settings: LegacySetting[];
  /** The effective value of each mapped key, the environment winning over the file as in the daemon. */
  readonly values: ReadonlyMap<ConfigKey, { readonly value: unknown; readonly configValue: unknown; readonly variable: string }>;
  /** Lines of the env file that are not `KEY=value`. */
  readonly problems: readonly string[];
}

interface Variable {
  readonly name: string;
  readonly value: string;
  readonly line?: number;
}

interface Layer {
  readonly variables: Variable[];
  readonly sourceOf: (variable: string, line?: number) => ConfigSource;
  /** Relative paths resolve against this folder. */
  readonly baseDir: string;
  readonly isEnvFile: boolean;
}

/** Variables whose value makes up library.roots: readVariables adds them together. */
const ROOT_VARIABLES = new Set(['ARENA_NAS_ROOT', 'ARENA_LIBRARY_ROOTS']);

function readEnvFile(file: string): { variables: Variable[]; problems: string[] } | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    return { variables: [], problems: [`${file} cannot be read (${errorCode(error) ?? String(error)})`] };
  }
  const parsed = parseEnvText(file, text);
  return { variables: [...parsed.entries], problems: parsed.problems.map((problem) => problem.message) };
}

/** `<file>:<line>`, or `environment`: the variable's name is beside it in the report already. */
function originOf(source: ConfigSource): string {
  if (source.kind === 'env-file') return `${source.file}:${source.line}`;
  if (source.kind === 'env') return 'environment';
  return describeSource(source);
}

function variableOf(source: ConfigSource): string | undefined {
  return source.kind === 'env' || source.kind === 'env-file' ? source.variable : undefined;
}

function mappedReason(variable: string, key: ConfigKey, value: unknown, definition: KeyDefinition<unknown>, unit: number | undefined): string {
  switch (key) {
    case 'cache.enable':
      return value === false
        ? 'copying was switched off; arenad will watch and report but copy nothing until cache.enable is true'
        : 'copying stays on';
    case 'cache.root':
      return 'the old cache folder becomes the cache root; its files are adopted';
    case 'library.roots':
      return 'the NAS model folders become library roots, laid out as <category>/<name>';
    case 'log.level':
      return 'verbose logging is log.level debug';
    case 'cache.categories':
      return Array.isArray(value) && value.length === 0
        ? 'every category is cached'
        : "old category names are read as ComfyUI's (clip is text_encoders, unet_models is diffusion_models)";
    default:
      break;
  }
  if (unit !== undefined && definition.envUnit !== undefined) {
    return `a bare number counts in ${unit === 2 ** 30 ? 'GiB' : 'MiB'}, as the old nodes multiplied by 1024`;
  }
  return `${variable} sets ${key}`;
}

/**
 * Reads the legacy settings of the ComfyUI at comfyRoot. Only the variables
 * the old nodes knew are taken from the environment: others there belong to
 * the shell, not to the old setup.
 */
export function readLegacySettings(comfyRoot: string, platform: Platform): LegacySettings {
  const schema = schemaEntries(buildSchema(platform));
  const definitions = new Map(schema);
  const pathVariables = new Set([
    ...OLD_PATH_VARIABLES,
    ...schema
      .filter(([, definition]) => definition.env && ['arena-path', 'arena-path-list'].includes(definition.format))
      .map(([, definition]) => definition.env),
  ]);

  const envFile = path.join(comfyRoot, LEGACY_ENV_FILE);
  const fileReading = readEnvFile(envFile);
  const environment = Object.entries(platform.env)
    .filter((entry): entry is [string, string] => entry[1] !== undefined && OLD_NODE_VARIABLES.has(entry[0]))
    .map(([name, value]) => ({ name, value }));
  const layers: Layer[] = [
    {
      variables: fileReading?.variables ?? [],
      sourceOf: (variable, line) => ({ kind: 'env-file', file: envFile, line: line ?? 0, variable }),
      baseDir: comfyRoot,
      isEnvFile: true,
    },
    { variables: environment, sourceOf: (variable) => ({ kind: 'env', variable }), baseDir: platform.cwd, isEnvFile: false },
  ];

  const settings: LegacySetting[] = [];
  const values = new Map<ConfigKey, MappedValue>();

  for (const layer of layers) {
    // One verdict per variable, filled in below; a variable the file names twice counts once, the last line.
    const verdicts = new Map<string, LegacySetting>();
    const origin = (variable: Variable) => originOf(layer.sourceOf(variable.name, variable.line));
    const drop = (variable: Variable, reason: string) =>
      verdicts.set(variable.name, { variable: variable.name, value: variable.value, source: origin(variable), status: 'dropped', reason });

    const usable: Variable[] = [];
    for (const variable of layer.variables) {
      if (pathVariables.has(variable.name) && isWindowsPath(variable.value)) {
        drop(variable, `"${variable.value}" is a Windows path, not usable on this system; set the folder as this system sees it`);
      } else {
        usable.push(variable);
      }
    }
    const find = (name: string) => [...usable].reverse().find((variable) => variable.name === name);
    const reading = readVariables(usable, schema, layer.sourceOf);

    for (const assignment of reading.assignments) {
      applyAssignment(assignment, layer, usable, definitions, platform, verdicts, values);
    }
    for (const problem of reading.problems) dropForProblem(problem, find, drop);
    for (const name of reading.ignored) {
      const variable = find(name);
      if (variable) drop(variable, droppedReason(name));
    }
    const mode = find('ARENA_CACHE_CATEGORIES_MODE');
    if (mode && !verdicts.has(mode.name)) {
      const listed = find('ARENA_CACHE_CATEGORIES');
      const extend = mode.value.trim().toLowerCase() === 'extend';
      if (listed && verdicts.get(listed.name)?.status === 'mapped') {
        verdicts.set(mode.name, {
          variable: mode.name,
          value: mode.value,
          source: origin(mode),
          status: 'mapped',
          key: 'cache.categories',
          reason: extend ? 'extend: the old default categories plus those listed in ARENA_CACHE_CATEGORIES' : 'override: only the categories listed',
        });
      } else {
        drop(mode, 'ARENA_CACHE_CATEGORIES is not set here, so there is nothing to extend or override; every category is cached');
      }
    }
    for (const variable of usable) {
      if (verdicts.has(variable.name)) continue;
      if (variable.name === 'ARENA_CACHE_VERBOSE') drop(variable, "verbose logging off is arenad's default (log.level info)");
      else if (variable.name === 'ARENA_CONFIG') drop(variable, 'it names a config file, it is not a setting');
      else if (!variable.name.startsWith('ARENA_')) drop(variable, 'not an Arena setting');
      else drop(variable, 'arenad read nothing from it');
    }
    // In the order the variables were read, so the report follows the file.
    const order = new Map(layer.variables.map((variable, index) => [variable.name, index]));
    settings.push(...[...verdicts.values()].sort((a, b) => (order.get(a.variable) ?? 0) - (order.get(b.variable) ?? 0)));
  }

  return {
    envFile: fileReading === undefined ? null : envFile,
    settings: settings.map((setting) => overriddenOrAsIs(setting, values)),
    values: new Map([...values].map(([key, entry]) => [key, { value: entry.value, configValue: entry.configValue, variable: entry.variable }])),
    problems: fileReading?.problems ?? [],
  };
}

interface MappedValue {
  readonly value: unknown;
  readonly configValue: unknown;
  /** The variable that decided the value (the last one read). */
  readonly variable: string;
  readonly source: string;
  /** `variable@source` of every variable the value came from (the NAS and library roots add up). */
  readonly from: ReadonlySet<string>;
}

/** A mapped variable whose key a later one set again is reported as dropped, naming the winner. */
function overriddenOrAsIs(setting: LegacySetting, values: ReadonlyMap<ConfigKey, MappedValue>): LegacySetting {
  if (setting.status !== 'mapped' || setting.configValue === undefined || setting.key === undefined) return setting;
  const winner = values.get(setting.key);
  if (winner === undefined || winner.from.has(`${setting.variable}@${setting.source}`)) return setting;
  return {
    variable: setting.variable,
    value: setting.value,
    source: setting.source,
    status: 'dropped',
    reason: `${setting.key} is set by ${winner.variable} (${winner.source}), which wins`,
  };
}

function applyAssignment(
  assignment: Assignment,
  layer: Layer,
  usable: readonly Variable[],
  definitions: ReadonlyMap<ConfigKey, KeyDefinition<unknown>>,
  platform: Platform,
  verdicts: Map<string, LegacySetting>,
  values: Map<ConfigKey, MappedValue>,
): void {
  const variableName = variableOf(assignment.source);
  const contributors =
    assignment.key === 'library.roots'
      ? usable.filter((variable) => ROOT_VARIABLES.has(variable.name))
      : usable.filter((variable) => variable.name === variableName).slice(-1);
  const origin = (variable: Variable) => originOf(layer.sourceOf(variable.name, variable.line));
  const drop = (reason: string) => {
    for (const variable of contributors) {
      verdicts.set(variable.name, { variable: variable.name, value: variable.value, source: origin(variable), status: 'dropped', reason });
    }
  };
  if (layer.isEnvFile && assignment.key === 'comfy.root') {
    drop('ignored in the env file, which itself lives inside the ComfyUI folder');
    return;
  }
  const definition = definitions.get(assignment.key)!;
  let value: unknown;
  try {
    value = parseValue(definition.format, assignment.raw, {
      baseDir: layer.baseDir,
      env: platform.env,
      home: platform.home,
      ...(assignment.unit === undefined ? {} : { unit: assignment.unit }),
    });
  } catch (error) {
    if (!(error instanceof InvalidValue)) throw error;
    drop(`not a valid value for ${assignment.key}: ${error.detail ? `${error.detail}; ` : ''}expected ${FORMATS[definition.format].expected}`);
    return;
  }
  const configValue = configFileValue(definition, value);
  const winner = contributors.at(-1);
  for (const variable of contributors) {
    verdicts.set(variable.name, {
      variable: variable.name,
      value: variable.value,
      source: origin(variable),
      status: 'mapped',
      key: assignment.key,
      configValue,
      reason: mappedReason(variable.name, assignment.key, value, definition, assignment.unit),
    });
  }
  if (winner) {
    const from = new Set(contributors.map((variable) => `${variable.name}@${origin(variable)}`));
    values.set(assignment.key, { value, configValue, variable: winner.name, source: origin(winner), from });
  }
}

function dropForProblem(
  problem: ConfigProblem,
  find: (name: string) => Variable | undefined,
  drop: (variable: Variable, reason: string) => void,
): void {
  const name = variableOf(problem.source);
  const variable = name === undefined ? undefined : find(name);
  if (variable === undefined) return;
  const reason = problem.unknown ? 'neither arenad nor the old nodes know this variable' : problem.message.replace(/^.*?\): /, 'not valid: ');
  drop(variable, reason);
}
