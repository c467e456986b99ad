import path from 'node:path';
import convict from 'convict';
import { readConfigFile, locateConfigFile } from './config-file.js';
import { ConfigError, InvalidValue } from './errors.js';
import { describeSource, type Assignment, type ConfigProblem, type ConfigSource, type SourceReading } from './sources.js';
import { EnvFileCache, LEGACY_ENV_FILE, sharedEnvFileCache } from './env-file.js';
import { readEnvFileVariables, readVariables } from './environment.js';
import { FORMATS, parseValue } from './formats.js';
import { quotaWarning } from './plausibility.js';
import { closestMatch, didYouMean } from '../core/did-you-mean.js';
import { buildSchema, GIB, schemaEntries, type ArenaConfig, type ConfigKey, type KeyDefinition, type Platform } from './schema.js';

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

/** A bad value as every source reports it: key, value as written, source, why, and what fits. */
function invalidMessage(assignment: Assignment, definition: KeyDefinition<unknown>, detail?: string): string {
  const unitNote = assignment.unit && definition.envUnit ? ` (a bare number counts in ${assignment.unit === GIB ? 'GiB' : 'MiB'})` : '';
  const reason = detail ? `${detail}; ` : '';
  const expected = FORMATS[definition.format].expected;
  return `${assignment.key} = ${JSON.stringify(assignment.raw)} (from ${describeSource(assignment.source)}): ${reason}expected ${expected}${unitNote}`;
}

/** The value an assignment gives its key: relative paths resolve against the config file's folder, else the working directory. */
function parsed(assignment: Assignment, definition: KeyDefinition<unknown>, platform: Platform): unknown {
  const baseDir = assignment.source.kind === 'file' ? path.dirname(assignment.source.file) : platform.cwd;
  const unit = assignment.unit === undefined ? {} : { unit: assignment.unit };
  return parseValue(definition.format, assignment.raw, { baseDir, env: platform.env, home: platform.home, ...unit });
}

function readFlags(flags: readonly ConfigFlag[], knownKeys: readonly ConfigKey[]): SourceReading {
  const reading: SourceReading = { assignments: [], problems: [] };
  for (const flag of flags) {
    const source: ConfigSource = { kind: 'flag', flag: `--${flag.key}` };
    if ((knownKeys as readonly string[]).includes(flag.key)) reading.assignments.push({ key: flag.key as ConfigKey, raw: flag.value, source });
    else {
      const nearest = closestMatch(flag.key, knownKeys);
      const message = `unknown flag --${flag.key}: no such configuration key${didYouMean(nearest === undefined ? undefined : `--${nearest}`)}`;
      reading.problems.push({ severity: 'error', source, message });
    }
  }
  return reading;
}

/**
 * Builds the effective configuration from, lowest first: defaults, the config
 * file, the legacy env file `<comfy.root>/user/arena_autocache.env`, the
 * environment, then flags (docs/configuration.md). convict holds the schema,
 * coerces and validates; what it cannot do is done here: every value keeps
 * its source, and every bad value of every source is collected, so one run
 * reports every problem; any error throws a ConfigError listing them all.
 */
export function loadConfig(options: LoadOptions): LoadedConfig {
  const { platform } = options;
  const schema = buildSchema(platform);
  const entries = schemaEntries(schema);
  const definitions = new Map(entries);
  const knownKeys = [...definitions.keys()];

  const located = options.configFile === null ? undefined : locateConfigFile(options.configFile, platform);
  const file = located ? readConfigFile(located.file, knownKeys) : { assignments: [], problems: [] };
  const variables = Object.entries(platform.env).flatMap(([name, value]) => (value === undefined ? [] : [{ name, value }]));
  const environment = readVariables(variables, entries, (variable) => ({ kind: 'env', variable }));
  const flags = readFlags(options.flags ?? [], knownKeys);

  // The env file lives inside comfy.root, so comfy.root is settled from the other sources first.
  let comfyRoot = schema.comfy.root.default;
  for (const assignment of [...file.assignments, ...environment.assignments, ...flags.assignments]) {
    try {
      if (assignment.key === 'comfy.root') comfyRoot = String(parsed(assignment, schema.comfy.root, platform));
    } catch {
      // Reported with the other bad values below.
    }
  }
  // A caller repeating a daemon's load names the env file that daemon read (null: none).
  const envFileName =
    options.envFile === undefined ? (comfyRoot ? path.join(comfyRoot, LEGACY_ENV_FILE) : undefined) : (options.envFile ?? undefined);
  const parsedEnvFile = envFileName ? (options.envFileCache ?? sharedEnvFileCache).read(envFileName) : undefined;
  const envFile = parsedEnvFile ? readEnvFileVariables(parsedEnvFile, entries) : { assignments: [], problems: [], ignored: [], used: [] };

  const problems = [...file.problems, ...environment.problems, ...flags.problems, ...envFile.problems];
  const store = convict<ArenaConfig>(schema, { env: {}, args: [] });
  const winners = new Map<ConfigKey, Assignment>();
  for (const assignment of [file, envFile, environment, flags].flatMap((reading) => reading.assignments)) {
    const definition = definitions.get(assignment.key)!;
    try {
      store.set<string>(assignment.key, parsed(assignment, definition, platform));
      winners.set(assignment.key, assignment);
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
  const quota = winners.get('cache.maxBytes');
  const quotaProblem = quota && quotaWarning(quota, store.get('cache.maxBytes'));
  if (quotaProblem) problems.push(quotaProblem);

  const strict = (options.unknownKeys ?? 'error') === 'error';
  const isError = (problem: ConfigProblem) => problem.severity === 'error' || (strict && problem.unknown === true);
  const errors = problems.filter(isError);
  if (errors.length > 0) throw new ConfigError(errors.map((problem) => ({ ...problem, severity: 'error' as const })));

  store.validate({ allowed: 'strict' });
  return {
    config: store.getProperties(),
    sources: new Map(knownKeys.map((configKey) => [configKey, winners.get(configKey)?.source ?? { kind: 'default' }])),
    warnings: problems.filter((problem) => !isError(problem)),
    ignoredLegacy: [...new Set([...envFile.ignored, ...environment.ignored])],
    ...(located ? { configFile: located.file } : {}),
    ...(parsedEnvFile ? { envFile: parsedEnvFile.file } : {}),
    environment: Object.fromEntries(environment.used.map((name) => [name, platform.env[name]!])),
    flags: options.flags ?? [],
    cwd: platform.cwd,
  };
}
