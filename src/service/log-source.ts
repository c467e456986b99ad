/**
 * Where `arenactl logs` reads: whatever the running daemon says it writes
 * (the journal under systemd, else its log file); with no daemon to ask, the
 * journal of an installed unit, else the file the daemon would write with
 * the local configuration.
 */
import fs from 'node:fs';
import { ConfigError } from '../config/errors.js';
import { loadConfig } from '../config/load-config.js';
import { logFileFor, type LogDestination } from '../log/log-destination.js';
import { LogUnavailableError } from './errors.js';
import type { ServiceContext } from './service-context.js';
import { serviceDefinitionFile } from './service-layout.js';
import { chooseMode, type ModeFlags } from './service-mode.js';

export type LogSource =
  | { readonly kind: 'journal'; readonly scope: 'system' | 'user' }
  | { readonly kind: 'file'; readonly file: string };

export interface LogQuery {
  readonly flags: ModeFlags;
  /** What the running daemon reported; undefined when none answered (or it is older than the report). */
  readonly daemon: LogDestination | undefined;
  readonly context: ServiceContext;
}

/** The file the local configuration makes a daemon write outside the journal. */
function configuredFile(context: ServiceContext): string {
  let config;
  try {
    config = loadConfig({ platform: context.platform }).config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const problems = error.problems.map((problem) => problem.message).join('; ');
    throw new LogUnavailableError(`cannot tell where the log is, because the configuration has problems: ${problems}`, { cause: error });
  }
  const file = logFileFor({ configured: config.log.file, stateDir: config.state.dir, home: context.platform.home, os: context.os }, false);
  if (file === null) {
    throw new LogUnavailableError(
      'log.file is off and no daemon is running under systemd, so there is no log to show; set log.file (ARENA_LOG_FILE) to a path, or leave it empty for the default',
    );
  }
  return file;
}

export function locateLog(query: LogQuery): LogSource {
  const { flags, daemon, context } = query;
  const mode = chooseMode(flags, context, 'existing');
  if (mode === 'launchd') return { kind: 'file', file: daemon?.file ?? configuredFile(context) };
  // --user or --system asks for that unit's journal, whatever runs now.
  if (flags.user || flags.system) return { kind: 'journal', scope: mode };
  if (daemon) {
    if (daemon.journal) return { kind: 'journal', scope: mode };
    if (daemon.file !== null) return { kind: 'file', file: daemon.file };
    throw new LogUnavailableError(
      'the running arenad writes no log file (log.file is off) and is not under systemd: its log goes only to where it was started. ' +
        'Set log.file (ARENA_LOG_FILE), or leave it empty for the default, and restart it',
    );
  }
  if (fs.existsSync(serviceDefinitionFile(mode, context.platform, context.system))) return { kind: 'journal', scope: mode };
  return { kind: 'file', file: configuredFile(context) };
}
