import type { ConfigReport } from '../control/contract/daemon.js';
import { describeSource } from './sources.js';
import type { LoadedConfig } from './load-config.js';
import { buildSchema, schemaEntries, type ArenaConfig, type Platform } from './schema.js';

/** The effective config with the source of every value, as `arenactl config show` prints it. */
export function configReport(loaded: LoadedConfig, origin: ConfigReport['origin']): ConfigReport {
  return {
    origin,
    configFile: loaded.configFile ?? null,
    envFile: loaded.envFile ?? null,
    config: loaded.config,
    sources: Object.fromEntries([...loaded.sources].map(([key, source]) => [key, describeSource(source)])),
    warnings: loaded.warnings.map((warning) => warning.message),
    environment: loaded.environment,
    flags: loaded.flags,
    cwd: loaded.cwd,
  };
}

/** `array`, `number`, ...: what JSON keeps of a value's type. */
function kindOf(value: unknown): string {
  return Array.isArray(value) ? 'array' : typeof value;
}

/**
 * The configuration a daemon reported, typed again: every key of this
 * version's schema present with the kind of value its default has. Undefined
 * when the daemon's version has other keys, so the caller can fall back.
 */
export function reportedConfig(values: ConfigReport['config'], platform: Platform): ArenaConfig | undefined {
  for (const [key, definition] of schemaEntries(buildSchema(platform))) {
    const [section, name] = key.split('.') as [string, string];
    const value = values[section]?.[name];
    // cache.minFreeBytes is a byte count or a share such as "5%".
    const fits = kindOf(value) === kindOf(definition.default) || (definition.format === 'arena-size-or-percent' && typeof value === 'number');
    if (!fits) return undefined;
  }
  return values as unknown as ArenaConfig;
}
