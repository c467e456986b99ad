/**
 * What `arenactl service install` does, per mode, as a plan (service-plan.ts).
 * Reading is allowed here (the existing config, the templates, linger);
 * changing anything is left to applyPlan.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../config/errors.js';
import { loadConfig } from '../config/load-config.js';
import type { ArenaConfig, Platform } from '../config/schema.js';
import { ServiceSetupError } from './errors.js';
import { hiddenDaemonPaths } from './hidden-paths.js';
import { lingerEnabled, lingerNote, userName } from './linger.js';
import { renderLaunchAgent, renderSystemUnit, renderUserUnit } from './render-units.js';
import { renderSysusers, renderTmpfiles } from './os-entries.js';
import type { ServiceContext } from './service-context.js';
import { backupName, newSystemConfig, updatedSystemConfig } from './service-config.js';
import { LAUNCHD_LABEL, UNIT_NAME, launchAgentFile, launchdLogFile, serviceConfigFile, userUnitFile, type ServiceMode, type SystemLayout } from './service-layout.js';
import type { PlanStep, ServicePlan } from './service-plan.js';
import { sandboxPaths } from './writable-paths.js';

const USER_CONFIG_HEADER = `# ComfyUI Arena. Written by \`arenactl service install\`: the daemon runs with
# this file. Every key, with its default, is in config/arena.example.yaml of
# the package; \`arenactl config show\` prints the values in force.
`;

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ServiceSetupError(`${file} cannot be read: ${(error as Error).message}`, { cause: error });
  }
}

/** The environment systemd gives the system service, which decides the defaults it runs with. */
export function systemServiceEnv(system: SystemLayout): NodeJS.ProcessEnv {
  return { RUNTIME_DIRECTORY: path.dirname(system.socket), STATE_DIRECTORY: system.stateDir, CACHE_DIRECTORY: system.cacheDir, HOME: system.stateDir };
}

/** The configuration the system service will run with: the file as it will be, under the service's environment. */
function systemServiceConfig(system: SystemLayout, text: string, existing: boolean): ArenaConfig {
  const platform: Platform = { env: systemServiceEnv(system), home: system.stateDir, uid: 0, cwd: '/', exists: (file) => fs.existsSync(file) };
  // A new file exists only in the plan so far: read it from a private copy (it holds only absolute paths).
  const scratch = existing ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'arena-install-'));
  const file = scratch ? path.join(scratch, 'config.yaml') : system.configFile;
  try {
    if (scratch) fs.writeFileSync(file, text);
    return loadConfig({ platform, configFile: file }).config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const problems = error.problems.map((problem) => `  ${problem.message}`).join('\n');
    throw new ServiceSetupError(`${system.configFile} has problems; fix them first (arenactl config check ${system.configFile}):\n${problems}`, { cause: error });
  } finally {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** A dry run shows the refusals among the notes, worded as the CLI words what would stop a real install. */
function refusalNotes(refusals: readonly string[]): string[] {
  return refusals.map((refusal) => `a real install would stop here: ${refusal}`);
}

function restartCommands(scope: string[]): PlanStep[] {
  return [
    { kind: 'run', command: ['systemctl', ...scope, 'daemon-reload'] },
    { kind: 'run', command: ['systemctl', ...scope, 'enable', UNIT_NAME] },
    // restart, not start: a reinstall after an upgrade must run the new code.
    { kind: 'run', command: ['systemctl', ...scope, 'restart', UNIT_NAME] },
  ];
}

async function planSystem(context: ServiceContext): Promise<ServicePlan> {
  const { system, paths } = context;
  const existing = readIfExists(system.configFile);
  const configText = existing === undefined ? newSystemConfig(system) : updatedSystemConfig(existing, system.configFile, system);
  const config = systemServiceConfig(system, configText, existing !== undefined);
  const sandbox = await sandboxPaths({
    config,
    managed: [system.stateDir, system.cacheDir],
    readOnly: [paths.node, paths.root, system.configFile],
    env: systemServiceEnv(system),
    home: system.stateDir,
  });
  const unit = await renderSystemUnit({
    paths,
    configFile: system.configFile,
    user: system.user,
    group: system.group,
    ...sandbox,
  });
  // Folders outside StateDirectory=/CacheDirectory= that the daemon writes; systemd does not create those.
  const folders = sandbox.writable.filter((entry) => !entry.optional).map((entry) => ({ path: entry.path, user: system.user, group: system.group }));
  const steps: PlanStep[] = [
    { kind: 'write', path: system.sysusersFile, content: await renderSysusers(paths, system), mode: 0o644 },
    { kind: 'ensure-user', user: system.user, group: system.group, home: system.stateDir, sysusersFile: system.sysusersFile },
  ];
  if (folders.length > 0) {
    steps.push(
      { kind: 'write', path: system.tmpfilesFile, content: await renderTmpfiles(paths, folders), mode: 0o644 },
      { kind: 'ensure-folders', folders, tmpfilesFile: system.tmpfilesFile },
    );
  }
  if (configText !== existing) {
    steps.push({ kind: 'mkdir', path: path.dirname(system.configFile) });
    // 0644: arenactl run by any user reads control.socket from it.
    steps.push({
      kind: 'write',
      path: system.configFile,
      content: configText,
      mode: 0o644,
      ...(existing === undefined ? {} : { backup: backupName(system.configFile, context.now()) }),
    });
  }
  steps.push({ kind: 'write', path: system.unitFile, content: unit, mode: 0o644 }, ...restartCommands([]));
  const refusals = hiddenDaemonPaths(unit, `the system unit ${UNIT_NAME}`, paths, 'sudo arenactl service install --system');

  const notes = [
    `users in the group ${system.group} may use arenactl: sudo usermod -aG ${system.group} USER (then log in again)`,
    `state: systemctl status arenad · log: journalctl -u arenad (or arenactl logs) · socket: ${system.socket}`,
  ];
  if (sandbox.inHome.length > 0) {
    notes.push(
      `the ${system.user} user must be able to read ${sandbox.inHome.join(', ')}, in home folders that are often private to their owner; ` +
        'a user install (--user) is simpler then, or move them out of /home (the package with npm install -g)',
    );
  }
  return { action: 'install', mode: 'system', definitionFile: system.unitFile, configFile: system.configFile, steps, notes: [...refusalNotes(refusals), ...notes], refusals };
}

/** A per-user install runs with the user's config file; a missing one is created empty, an existing one is left alone. */
function userConfigSteps(configFile: string): PlanStep[] {
  if (fs.existsSync(configFile)) return [];
  return [
    { kind: 'mkdir', path: path.dirname(configFile) },
    { kind: 'write', path: configFile, content: USER_CONFIG_HEADER, mode: 0o644 },
  ];
}

async function planUser(context: ServiceContext): Promise<ServicePlan> {
  const { platform, paths } = context;
  const configFile = serviceConfigFile('user', platform, context.system);
  const unitFile = userUnitFile(platform);
  const unit = await renderUserUnit({ paths, configFile });
  const steps: PlanStep[] = [
    ...userConfigSteps(configFile),
    { kind: 'mkdir', path: path.dirname(unitFile) },
    { kind: 'write', path: unitFile, content: unit, mode: 0o644 },
    ...restartCommands(['--user']),
  ];
  const refusals = hiddenDaemonPaths(unit, `the user unit ${UNIT_NAME}`, paths, 'arenactl service install --user');
  const notes = [...refusalNotes(refusals), 'state: systemctl --user status arenad · log: journalctl --user-unit arenad (or arenactl logs)'];
  const linger = await lingerEnabled(context.runner, platform.uid, userName(platform));
  if (linger !== true) notes.push(lingerNote(platform, linger));
  return { action: 'install', mode: 'user', definitionFile: unitFile, configFile, steps, notes, refusals };
}

async function planLaunchd(context: ServiceContext): Promise<ServicePlan> {
  const { platform, paths } = context;
  const configFile = serviceConfigFile('launchd', platform, context.system);
  const plistFile = launchAgentFile(platform);
  const logFile = launchdLogFile(platform);
  const plist = await renderLaunchAgent({ paths, configFile, label: LAUNCHD_LABEL, logFile });
  const domain = `gui/${platform.uid}`;
  const steps: PlanStep[] = [
    ...userConfigSteps(configFile),
    { kind: 'mkdir', path: path.dirname(logFile) },
    { kind: 'mkdir', path: path.dirname(plistFile) },
    { kind: 'write', path: plistFile, content: plist, mode: 0o644 },
    // An agent already loaded (a reinstall) must be unloaded first, or bootstrap refuses.
    { kind: 'run', command: ['launchctl', 'bootout', `${domain}/${LAUNCHD_LABEL}`], allowFailure: true },
    { kind: 'run', command: ['launchctl', 'bootstrap', domain, plistFile] },
  ];
  const notes = [`state: launchctl print ${domain}/${LAUNCHD_LABEL} · log: ${logFile} (or arenactl logs)`];
  return { action: 'install', mode: 'launchd', definitionFile: plistFile, configFile, steps, notes };
}

export function planInstall(mode: ServiceMode, context: ServiceContext): Promise<ServicePlan> {
  if (mode === 'system') return planSystem(context);
  if (mode === 'user') return planUser(context);
  return planLaunchd(context);
}
