/**
 * Fills the templates in `units/` with absolute paths: the Node binary, the
 * built daemon, the config file, and for the system unit the paths the
 * sandbox must leave writable.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { PackagePaths } from './package-paths.js';
import { renderTemplate, type TemplateValue } from './template.js';
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

/** Fills the template `units/<name>`; a placeholder without a value names that file. */
async function renderUnitTemplate(paths: PackagePaths, name: string, values: Readonly<Record<string, TemplateValue>>): Promise<string> {
  return renderTemplate(await fs.readFile(path.join(paths.unitsDir, name), 'utf8'), values, `units/${name}`);
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

/** What the system and the user unit fill in alike: Documentation=, ExecStart= and Environment=. */
function systemdUnitValues(paths: PackagePaths, configFile: string): Record<string, TemplateValue> {
  return {
    installDoc: documentation(paths),
    execStart: execCommandLine(daemonCommand(paths, configFile)),
    environment: environmentLines(),
  };
}

export async function renderSystemUnit(input: SystemUnitInput): Promise<string> {
  return renderUnitTemplate(input.paths, 'arenad.service', {
    ...systemdUnitValues(input.paths, input.configFile),
    user: input.user,
    group: input.group,
    readWritePaths: { lines: input.writable.map((entry) => `ReadWritePaths=${unitPath(entry.path, entry.optional)}`) },
    protectHome: input.protectHome,
    protectHomeReason: input.protectHomeReason,
  });
}

export async function renderUserUnit(input: UserUnitInput): Promise<string> {
  return renderUnitTemplate(input.paths, 'arenad.user.service', systemdUnitValues(input.paths, input.configFile));
}

/** The PATH a LaunchAgent gets: the system's folders, and Node's own for anything it runs. */
function launchdPath(node: string): string {
  return [...new Set([path.dirname(node), '/usr/bin', '/bin', '/usr/sbin', '/sbin'])].join(':');
}

export async function renderLaunchAgent(input: LaunchAgentInput): Promise<string> {
  return renderUnitTemplate(input.paths, 'arenad.plist', {
    label: xmlText(input.label),
    programArguments: { lines: daemonCommand(input.paths, input.configFile).map((arg) => `  <string>${xmlText(arg)}</string>`) },
    logFile: xmlText(input.logFile),
    path: xmlText(launchdPath(input.paths.node)),
  });
}
