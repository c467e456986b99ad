/**
 * Where each kind of install puts things. Three modes: a systemd system
 * service (its own user, /etc, /run, /var), a systemd user service (the
 * user's XDG folders), and a launchd LaunchAgent on macOS.
 */
import path from 'node:path';
import { userConfigFile } from '../config/config-file.js';
import type { Platform } from '../config/schema.js';
import { macLogFile } from '../log/log-destination.js';

export type ServiceMode = 'system' | 'user' | 'launchd';

export const UNIT_NAME = 'arenad.service';
export const LAUNCHD_LABEL = 'org.comfyui-arena.arenad';

/** The fixed places of a system install; injected so that tests can point them into a temp folder. */
export interface SystemLayout {
  readonly unitFile: string;
  /** The sysusers.d entry of the daemon's user (service/sysusers.d/arena.conf, filled in). */
  readonly sysusersFile: string;
  /** The tmpfiles.d entry of the folders it writes outside StateDirectory= and CacheDirectory=. */
  readonly tmpfilesFile: string;
  readonly configFile: string;
  readonly socket: string;
  /** `StateDirectory=arena`. */
  readonly stateDir: string;
  /** `CacheDirectory=arena`: the cache root a new config file names. */
  readonly cacheDir: string;
  /** The dedicated user and group the daemon runs as. */
  readonly user: string;
  readonly group: string;
}

export const SYSTEM_LAYOUT: SystemLayout = {
  unitFile: `/etc/systemd/system/${UNIT_NAME}`,
  sysusersFile: '/etc/sysusers.d/arena.conf',
  tmpfilesFile: '/etc/tmpfiles.d/arena.conf',
  configFile: '/etc/arena/config.yaml',
  socket: '/run/arena/arenad.sock',
  stateDir: '/var/lib/arena',
  cacheDir: '/var/cache/arena',
  user: 'arena',
  group: 'arena',
};

export function userUnitFile(platform: Pick<Platform, 'env' | 'home'>): string {
  return path.join(platform.env.XDG_CONFIG_HOME || path.join(platform.home, '.config'), 'systemd', 'user', UNIT_NAME);
}

export function launchAgentFile(platform: Pick<Platform, 'home'>): string {
  return path.join(platform.home, 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`);
}

/** Where the LaunchAgent's output goes: the daemon's own default log file on macOS, so each line is written once. */
export function launchdLogFile(platform: Pick<Platform, 'home'>): string {
  return macLogFile(platform.home);
}

/** The config file the service runs with. */
export function serviceConfigFile(mode: ServiceMode, platform: Pick<Platform, 'env' | 'home'>, system: SystemLayout): string {
  return mode === 'system' ? system.configFile : userConfigFile(platform);
}

/** The unit file or plist of a mode. */
export function serviceDefinitionFile(mode: ServiceMode, platform: Pick<Platform, 'env' | 'home'>, system: SystemLayout): string {
  if (mode === 'system') return system.unitFile;
  if (mode === 'user') return userUnitFile(platform);
  return launchAgentFile(platform);
}
