/**
 * Which kind of install a command means. `--system` and `--user` choose on
 * Linux; macOS has only the LaunchAgent. With neither flag, install picks
 * the system service for root and the user service otherwise, and the other
 * commands pick the install that exists.
 */
import fs from 'node:fs';
import { ServiceSetupError } from './errors.js';
import { userUnitFile, type ServiceMode } from './service-layout.js';
import type { ServiceContext } from './service-context.js';

export interface ModeFlags {
  readonly user?: boolean;
  readonly system?: boolean;
}

/** The CLI has already refused --user together with --system. */
export function chooseMode(flags: ModeFlags, context: ServiceContext, purpose: 'install' | 'existing'): ServiceMode {
  if (context.os === 'darwin') {
    if (flags.system) {
      throw new ServiceSetupError('on macOS Arena runs as a LaunchAgent of the logged-in user, which sees your files; leave out --system');
    }
    return 'launchd';
  }
  if (context.os !== 'linux') throw new ServiceSetupError(`services are supported on Linux (systemd) and macOS (launchd), not on ${context.os}; run arenad in the foreground instead`);
  if (flags.system) return 'system';
  if (flags.user) return 'user';
  if (purpose === 'existing') {
    if (fs.existsSync(context.system.unitFile)) return 'system';
    if (fs.existsSync(userUnitFile(context.platform))) return 'user';
  }
  return context.platform.uid === 0 ? 'system' : 'user';
}
