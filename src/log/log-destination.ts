/**
 * Where the daemon's log goes, decided in one place for the daemon and for
 * `arenactl logs` when no daemon answers. Under systemd the journal has
 * every line. Anywhere else (`npm start`, `arenad &`, launchd) stderr is a
 * terminal or nothing at all, so the daemon also keeps a rotated file by
 * default, or where `log.file` says; `log.file: off` turns the file off.
 */
import path from 'node:path';

/** The value of `log.file` (`ARENA_LOG_FILE`) that means "no file". */
export const LOG_FILE_OFF = 'off';

export interface LogDestination {
  /** stderr goes to the journal (systemd). */
  readonly journal: boolean;
  /** The file the daemon writes, or null when it writes none. */
  readonly file: string | null;
}

export interface LogFileSettings {
  /** `log.file` as configured: '' for the default, `off`, or a path. */
  readonly configured: string;
  readonly stateDir: string;
  readonly home: string;
  readonly os: NodeJS.Platform;
}

/**
 * The file a daemon without the journal writes when `log.file` is not set:
 * on macOS the user's Logs folder, where Console.app and the LaunchAgent's
 * own output go; elsewhere beside the ledger in the state folder.
 */
export function defaultLogFile(settings: Pick<LogFileSettings, 'stateDir' | 'home' | 'os'>): string {
  if (settings.os === 'darwin') return macLogFile(settings.home);
  return path.join(settings.stateDir, 'arenad.log');
}

/** The macOS place for a user's logs, where the LaunchAgent's own output goes too. */
export function macLogFile(home: string): string {
  return path.join(home, 'Library', 'Logs', 'arena', 'arenad.log');
}

/** The configured file, when `log.file` names one (not empty, not off). */
export function configuredLogFile(configured: string): string | null {
  return configured === '' || configured === LOG_FILE_OFF ? null : configured;
}

/** The file a daemon writes: the configured one, the default outside the journal, or none. */
export function logFileFor(settings: LogFileSettings, journal: boolean): string | null {
  if (settings.configured === LOG_FILE_OFF) return null;
  return configuredLogFile(settings.configured) ?? (journal ? null : defaultLogFile(settings));
}
