/**
 * What a reload changes: the keys whose value differs, and which of them a
 * running daemon cannot take (the socket, the cache root, ...) and so keeps
 * until a restart.
 */
import { buildSchema, configValue, schemaEntries, type ArenaConfig, type ConfigKey, type Platform } from '../config/schema.js';

export interface ConfigChange {
  /** Every key whose value differs. */
  readonly changed: readonly ConfigKey[];
  /** The changed keys that take effect only after a restart. */
  readonly pending: readonly ConfigKey[];
  /** The new configuration, with the pending keys at their running values. */
  readonly config: ArenaConfig;
}

export class ConfigChanges {
  readonly #allKeys: readonly ConfigKey[];
  readonly #restartKeys: ReadonlySet<ConfigKey>;

  constructor(platform: Platform) {
    const entries = schemaEntries(buildSchema(platform));
    this.#allKeys = entries.map(([key]) => key);
    this.#restartKeys = new Set(entries.filter(([, definition]) => definition.needsRestart).map(([key]) => key));
  }

  between(running: ArenaConfig, next: ArenaConfig): ConfigChange {
    const changed = this.#allKeys.filter((key) => JSON.stringify(configValue(running, key)) !== JSON.stringify(configValue(next, key)));
    const pending = changed.filter((key) => this.#restartKeys.has(key));
    return { changed, pending, config: keepRunningValues(next, running, pending) };
  }
}

/** The new config, except that the given keys keep the values the daemon runs with. */
function keepRunningValues(next: ArenaConfig, running: ArenaConfig, keys: readonly ConfigKey[]): ArenaConfig {
  const merged = structuredClone(next) as unknown as Record<string, Record<string, unknown>>;
  for (const key of keys) {
    const [section, name] = key.split('.') as [string, string];
    merged[section]![name] = configValue(running, key);
  }
  return merged as unknown as ArenaConfig;
}
