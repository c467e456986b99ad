/**
 * Fills the templates in `units/` with absolute paths: the Node binary, the
 * built daemon, the config file, and for the system unit the paths the
 * sandbox must leave writable.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { PackagePaths } from './package-paths.js';
import { renderTemplate } from './template.js';
import { execCommandLine, unitPath, xmlText } from './unit-syntax.js';
import { DAEMON_ENVIRONMENT, DAEMON_NODE_FLAGS } from './node-flags.js';

/** A path the system unit must leave writable; `optional` for roots that may be unmounted at boot. */
export interface WritablePath {
  readonly path: string;
  readonly optional: boolean;
}

export interface SystemUnitInput {
  readonly paths: PackagePaths;
  readonly configFile: string;
  readonly user: string;
  readonly group: string;
  readonly writable: readonly WritablePath[];
  /** `yes` hides home folders; `read-only` when something the daemon needs lives in one. */
  readonly protectHome: 'yes' | 'read-only';
  readonly protectHomeReason: string;
}

export interface UserUnitInput {
  readonly paths: PackagePaths;
  readonly configFile: string;
}

export interface LaunchAgentInput {
  readonly paths: PackagePaths;
  readonly configFile: string;
  readonly label: string;
  readonly logFile: string;
}

async function template(paths: PackagePaths, name: string): Promise<string> {
  return fs.readFile(path.join(paths.unitsDir, name), 'utf8');
}

function daemonCommand(paths: PackagePaths, configFile: string): string[] {
  return [paths.node, ...DAEMON_NODE_FLAGS, paths.daemonEntry, '--config', configFile];
}

/** `Environment=` lines; the values are fixed words, so no quoting is needed. */
function environmentLines(): { lines: string[] } {
  return { lines: Object.entries(DAEMON_ENVIRONMENT).map(([name, value]) => `Environment=${name}=${value}`) };
}

function documentation(paths: PackagePaths): string {
  return encodeURI(paths.installDoc).replace(/%/g, '%%');
}

export async function renderSystemUnit(input: SystemUnitInput): Promise<string> {
  return renderTemplate(
    await template(input.paths, 'arenad.service'),
    {
      installDoc: documentation(input.paths),
      execStart: execCommandLine(daemonCommand(input.paths, input.configFile)),
      environment: environmentLines(),
      user: input.user,
      group: input.group,
      readWritePaths: { lines: input.writable.map((entry) => `ReadWritePaths=${unitPath(entry.path, entry.optional)}`) },
      protectHome: input.protectHome,
      protectHomeReason: input.protectHomeReason,
    },
    'units/arenad.service',
  );
}

export async function renderUserUnit(input: UserUnitInput): Promise<string> {
  return renderTemplate(
    await template(input.paths, 'arenad.user.service'),
    {
      installDoc: documentation(input.paths),
      execStart: execCommandLine(daemonCommand(input.paths, input.configFile)),
      environment: environmentLines(),
    },
    'units/arenad.user.service',
  );
}

/** The PATH a LaunchAgent gets: the system's folders, and Node's own for anything it runs. */
function launchdPath(node: string): string {
  return [...new Set([path.dirname(node), '/usr/bin', '/bin', '/usr/sbin', '/sbin'])].join(':');
}

export async function renderLaunchAgent(input: LaunchAgentInput): Promise<string> {
  return renderTemplate(
    await template(input.paths, 'arenad.plist'),
    {
      label: xmlText(input.label),
      programArguments: { lines: daemonCommand(input.paths, input.configFile).map((arg) => `  <string>${xmlText(arg)}</string>`) },
      logFile: xmlText(input.logFile),
      path: xmlText(launchdPath(input.paths.node)),
    },
    'units/arenad.plist',
  );
}
