/**
 * Everything an install, an uninstall or a status query touches of the
 * machine, in one injected object: tests swap the command runner, the
 * system layout and the OS to exercise every mode on any machine.
 */
import type { Platform } from '../config/schema.js';
import { systemRunner, type CommandRunner } from './command-runner.js';
import { packagePaths, type PackagePaths } from './package-paths.js';
import { SYSTEM_LAYOUT, type SystemLayout } from './service-layout.js';

export interface ServiceContext {
  readonly platform: Platform;
  /** `process.platform`: `linux` uses systemd, `darwin` launchd. */
  readonly os: NodeJS.Platform;
  readonly runner: CommandRunner;
  readonly paths: PackagePaths;
  readonly system: SystemLayout;
  /** For the names of config backups. */
  readonly now: () => Date;
}

export function defaultServiceContext(platform: Platform): ServiceContext {
  return { platform, os: process.platform, runner: systemRunner, paths: packagePaths(), system: SYSTEM_LAYOUT, now: () => new Date() };
}
