/**
 * Doctor: the configuration. With a daemon answering, the sources it loaded
 * (its config file, its env file, its ARENA_ variables and flags), read
 * again as they are now; the other checks then look at the configuration it
 * runs with. Without one, what a fresh start from this shell would load.
 */
import { ConfigError } from '../config/errors.js';
import { reportedConfig } from '../config/config-report.js';
import { loadConfig, type LoadedConfig, type LoadOptions } from '../config/load-config.js';
import type { ArenaConfig, Platform } from '../config/schema.js';
import { DaemonUnreachableError, RemoteError } from '../control/control-client.js';
import type { ConfigReport } from '../control/contract/daemon.js';
import { fail, pass, warn, type CheckResult } from './check.js';
import type { DaemonQueries } from './daemon-queries.js';

const FIX_VALUES = 'correct the values named above (arenactl config check shows them), then run doctor again';

export interface ConfigCheck {
  readonly result: CheckResult;
  /** The configuration the other checks look at; absent when there is none to trust. */
  readonly config?: ArenaConfig;
}

/** The daemon's own sources, and this shell's environment for the rest ($HOME, $VARS in paths). */
function daemonSources(report: ConfigReport & { cwd: string }, platform: Platform): LoadOptions {
  const shellWithoutArena = Object.fromEntries(Object.entries(platform.env).filter(([name]) => !name.startsWith('ARENA_')));
  return {
    platform: { ...platform, env: { ...shellWithoutArena, ...report.environment }, cwd: report.cwd },
    configFile: report.configFile,
    envFile: report.envFile,
    flags: report.flags ?? [],
  };
}

/** "/etc/arena/config.yaml, …/arena_autocache.env and ARENA_CACHE_ROOT": what a configuration was read from. */
function describeSources(loaded: Pick<LoadedConfig, 'configFile' | 'envFile' | 'environment' | 'flags'>): string {
  const parts = [
    loaded.configFile ?? 'no config file',
    ...(loaded.envFile ? [loaded.envFile] : []),
    ...Object.keys(loaded.environment),
    ...loaded.flags.map((flag) => `--${flag.key}`),
  ];
  return parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)!}`;
}

function verdict(loaded: LoadedConfig, what: string): CheckResult {
  if (loaded.warnings.length > 0) {
    return warn('config', `${what}: ${loaded.warnings.map((item) => item.message).join('; ')}`, 'correct the lines named above');
  }
  return pass('config', `valid: ${what}`);
}

/** What a fresh start from this shell would load. */
function checkLocalConfig(platform: Platform): ConfigCheck {
  try {
    const loaded = loadConfig({ platform });
    return { result: verdict(loaded, `${describeSources(loaded)} (what arenad would load if started from here)`), config: loaded.config };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return {
      result: fail(
        'config',
        error.problems.map((problem) => problem.message).join('; '),
        `${FIX_VALUES}; the checks that need the config were skipped`,
      ),
    };
  }
}

/** The sources the running daemon loaded, read again now; the checks after it see the configuration it runs with. */
function checkDaemonConfig(report: ConfigReport & { cwd: string }, platform: Platform): ConfigCheck {
  const running = reportedConfig(report.config, platform);
  try {
    const loaded = loadConfig(daemonSources(report, platform));
    return { result: verdict(loaded, `what the running arenad loaded: ${describeSources(loaded)}`), config: running ?? loaded.config };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const problems = error.problems.map((problem) => problem.message).join('; ');
    return {
      result: fail(
        'config',
        `the sources the running arenad loaded have problems now: ${problems}`,
        `${FIX_VALUES}; arenad keeps what it loaded until a reload (SIGHUP) or restart reads them again`,
      ),
      ...(running ? { config: running } : {}),
    };
  }
}

export async function checkConfiguration(daemon: DaemonQueries, platform: Platform): Promise<ConfigCheck> {
  let report: ConfigReport;
  try {
    report = await daemon.configShow();
  } catch (error) {
    // No daemon, or one that cannot say (the daemon check reports that): check what a start from here would load.
    if (error instanceof DaemonUnreachableError || error instanceof RemoteError) return checkLocalConfig(platform);
    throw error;
  }
  // A daemon older than this arenactl does not say what it read: check what a start from here would load.
  const { cwd } = report;
  return cwd === undefined ? checkLocalConfig(platform) : checkDaemonConfig({ ...report, cwd }, platform);
}
