import type { ConfigReport } from '../control/results.js';
import { describeSource } from './config-source.js';
import type { LoadedConfig } from './load-config.js';

/** The effective config with the source of every value, as `arenactl config show` prints it. */
export function configReport(loaded: LoadedConfig, origin: ConfigReport['origin']): ConfigReport {
  return {
    origin,
    configFile: loaded.configFile ?? null,
    envFile: loaded.envFile ?? null,
    config: loaded.config as unknown as Record<string, Record<string, unknown>>,
    sources: Object.fromEntries([...loaded.sources].map(([key, source]) => [key, describeSource(source)])),
    warnings: loaded.warnings.map((warning) => warning.message),
  };
}
