import path from 'node:path';
import convict from 'convict';
import { readConfigFile, locateConfigFile } from './config-file.js';
import { ConfigError } from './errors.js';
import { describeSource, type Assignment, type ConfigProblem, type ConfigSource } from './sources.js';
import { EnvFileCache, LEGACY_ENV_FILE, sharedEnvFileCache } from './env-file.js';
import { readVariables } from './environment.js';
import { InvalidValue } from './errors.js';
import type { ParseContext } from './formats.js';
import { quotaWarning } from './plausibility.js';
import { closestMatch, didYouMean } from '../core/did-you-mean.js';
import { buildSchema, schemaEntries, type ArenaConfig, type ConfigKey, type KeyDefinition, type Platform } from './schema.js';

export interface ConfigFlag {
  readonly key: string;
  readonly value: string;
}

export interface LoadOptions {
  readonly platform: Platform;
  /** `--config FILE`; null: no config file at all, as for a daemon that found none. */
  readonly configFile?: string | null;
  /**
   * The legacy env file to read instead of `<comfy.root>/user/arena_autocache.env`
   * (null: none), to repeat exactly what a running daemon read.
   */
  readonly envFile?: string | null;
  /** Command-line flags such as `--cache.maxBytes=64GB`, highest precedence. */
  readonly flags?: readonly ConfigFlag[];
  readonly envFileCache?: EnvFileCache;
  /**
   * An unknown key or `ARENA_*` variable is an error, as it stops the daemon.
   * `warn` is only for finding the daemon's socket despite a broken file.
   */
  readonly unknownKeys?: 'warn' | 'error';
}

export interface LoadedConfig {
  readonly config: ArenaConfig;
  readonly sources: ReadonlyMap<ConfigKey, ConfigSource>;
  readonly warnings: readonly ConfigProblem[];
  /** Legacy variables that were recognised but have no meaning for the daemon. */
  readonly ignoredLegacy: readonly string[];
  readonly configFile?: string;
  readonly envFile?: string;
  /** The `ARENA_*` variables of the environment that set or steered a value, with their values. */
  readonly environment: Readonly<Record<string, string>>;
  readonly flags: readonly ConfigFlag[];
  /** The folder relative paths in the environment and flags were resolved against. */
  readonly cwd: string;
}

/** convict's own check: the final value has the JavaScript type of the key's default. */
function typeCheck(definition: KeyDefinition<unknown>): (value: unknown) => void {
  const expected = Array.isArray(definition.default) ? 'array' : typeof definition.default;
  return (value) => {
    const actual = Array.isArray(value) ? 'array' : typeof value;
    // minFreeBytes holds either a byte count or a percentage string.
    if (actual !== expected && !(definition.format.name === 'arena-size-or-percent' && actual === 'number')) {
      throw new Error(`must be of type ${expected}`);
    }
  };
}

function convictSchemaOf(entries: ReadonlyArray<[ConfigKey, KeyDefinition<unknown>]>) {
  const schema: Record<string, Record<string, { doc: string; default: unknown; format: (value: unknown) => void }>> =
    {};
  for (const [configKey, definition] of entries) {
    const [section, name] = configKey.split('.') as [string, string];
    schema[section] ??= {};
    schema[section][name] = { doc: definition.doc, default: definition.default, format: typeCheck(definition) };
  }
  return schema;
}

function invalidMessage(assignment: Assignment, definition: KeyDefinition<unknown>, detail?: string): string {
  const shown = JSON.stringify(assignment.raw);
  const unitNote =
    assignment.unit && definition.envUnit ? ` (a bare number counts in ${assignment.unit === 2 ** 30 ? 'GiB' : 'MiB'})` : '';
  const reason = detail ? `${detail}; ` : '';
  return `${assignment.key} = ${shown} (from ${describeSource(assignment.source)}): ${reason}expected ${definition.format.expected}${unitNote}`;
}

/** The flag nearest a mistyped one, spelled as a flag. */
function flagSuggestion(name: string, knownKeys: readonly ConfigKey[]): string | undefined {
  const nearest = closestMatch(name, knownKeys);
  return nearest === undefined ? undefined : `--${nearest}`;
}

function contextFor(source: ConfigSource, platform: Platform): ParseContext {
  const baseDir = source.kind === 'file' ? path.dirname(source.file) : platform.cwd;
  return { baseDir, env: platform.env, home: platform.home };
}

/**
 * Builds the effective configuration from, lowest first: defaults, the config
 * file, the legacy env file `<comfy.root>/user/arena_autocache.env`, the
 * environment, then flags. Every bad value is collected, so one run reports
 * every problem; any error throws a ConfigError listing them all.
 */
export function loadConfig(options: LoadOptions): LoadedConfig {
  const { platform } = options;
  const schema = buildSchema(platform);
  const entries = schemaEntries(schema);
  const definitions = new Map(entries);
  const knownKeys = entries.map(([configKey]) => configKey);
  const problems: ConfigProblem[] = [];

  const located = options.configFile === null ? undefined : locateConfigFile(options.configFile, platform);
  const fileReading = located ? readConfigFile(located.file, knownKeys) : { assignments: [], problems: [] };
  problems.push(...fileReading.problems);

  const environment = Object.entries(platform.env)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => ({ name, value }));
  const envReading = readVariables(environment, entries, (variable) => ({ kind: 'env', variable }));
  problems.push(...envReading.problems);

  const flagAssignments: Assignment[] = [];
  for (const flag of options.flags ?? []) {
    const source: ConfigSource = { kind: 'flag', flag: `--${flag.key}` };
    if (definitions.has(flag.key as ConfigKey)) flagAssignments.push({ key: flag.key as ConfigKey, raw: flag.value, source });
    else {
      const message = `unknown flag --${flag.key}: no such configuration key${didYouMean(flagSuggestion(flag.key, knownKeys))}`;
      problems.push({ severity: 'error', source, message });
    }
  }

  // The env file lives inside comfy.root, so comfy.root is settled from the other sources first.
  const comfyRootDefinition = definitions.get('comfy.root')!;
  let comfyRoot = String(comfyRootDefinition.default);
  for (const assignment of [...fileReading.assignments, ...envReading.assignments, ...flagAssignments]) {
    if (assignment.key !== 'comfy.root') continue;
    try {
      comfyRoot = String(comfyRootDefinition.format.parse(assignment.raw, contextFor(assignment.source, platform)));
    } catch {
      // Reported with the other bad values below.
    }
  }

  // A caller repeating a daemon's load names the env file that daemon read (null: none).
  let envFile = comfyRoot ? path.join(comfyRoot, LEGACY_ENV_FILE) : undefined;
  if (options.envFile !== undefined) envFile = options.envFile ?? undefined;
  const parsedEnvFile = envFile ? (options.envFileCache ?? sharedEnvFileCache).read(envFile) : undefined;
  let envFileAssignments: Assignment[] = [];
  let ignoredLegacy = envReading.ignored;
  if (parsedEnvFile) {
    for (const problem of parsedEnvFile.problems) {
      problems.push({
        severity: 'warning',
        source: { kind: 'env-file', file: parsedEnvFile.file, line: problem.line, variable: '' },
        message: problem.message,
      });
    }
    const reading = readVariables(parsedEnvFile.entries, entries, (variable, line) => ({
      kind: 'env-file',
      file: parsedEnvFile.file,
      line: line ?? 0,
      variable,
    }));
    problems.push(...reading.problems);
    ignoredLegacy = [...new Set([...reading.ignored, ...ignoredLegacy])];
    envFileAssignments = reading.assignments.filter((assignment) => {
      if (assignment.key !== 'comfy.root') return true;
      problems.push({
        severity: 'warning',
        key: 'comfy.root',
        source: assignment.source,
        message: `${describeSource(assignment.source)}: ARENA_COMFY_ROOT is ignored in the env file, which itself lives inside comfy.root`,
      });
      return false;
    });
  }

  const store = convict(convictSchemaOf(entries), { env: {}, args: [] });
  const sources = new Map<ConfigKey, ConfigSource>(knownKeys.map((configKey) => [configKey, { kind: 'default' }]));
  const layers = [fileReading.assignments, envFileAssignments, envReading.assignments, flagAssignments];
  let quota: { assignment: Assignment; bytes: number } | undefined;
  for (const assignment of layers.flat()) {
    const definition = definitions.get(assignment.key)!;
    const context = { ...contextFor(assignment.source, platform), ...(assignment.unit ? { unit: assignment.unit } : {}) };
    try {
      const value = definition.format.parse(assignment.raw, context);
      store.set(assignment.key, value);
      sources.set(assignment.key, assignment.source);
      if (assignment.key === 'cache.maxBytes') quota = { assignment, bytes: value as number };
    } catch (error) {
      if (!(error instanceof InvalidValue)) throw error;
      problems.push({
        severity: 'error',
        key: assignment.key,
        source: assignment.source,
        message: invalidMessage(assignment, definition, error.detail),
      });
    }
  }

  const quotaProblem = quota && quotaWarning(quota.assignment, quota.bytes);
  if (quotaProblem) problems.push(quotaProblem);

  const strict = (options.unknownKeys ?? 'error') === 'error';
  const isError = (problem: ConfigProblem) => problem.severity === 'error' || (strict && problem.unknown === true);
  const errors = problems.filter(isError);
  if (errors.length > 0) throw new ConfigError(errors.map((problem) => ({ ...problem, severity: 'error' as const })));

  store.validate({ allowed: 'strict' });
  return {
    config: store.getProperties() as ArenaConfig,
    sources,
    warnings: problems.filter((problem) => !isError(problem)),
    ignoredLegacy,
    ...(located ? { configFile: located.file } : {}),
    ...(parsedEnvFile ? { envFile: parsedEnvFile.file } : {}),
    environment: Object.fromEntries(envReading.used.map((name) => [name, platform.env[name]!])),
    flags: options.flags ?? [],
    cwd: platform.cwd,
  };
}
