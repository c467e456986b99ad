/**
 * What `arenactl service uninstall` does: stop and disable the service and
 * remove its unit or plist. The config, the state, the cache and the models
 * stay, and so does the system user; the notes say how to remove them.
 */
import fs from 'node:fs';
import { loadConfig } from '../config/load-config.js';
import type { ArenaConfig, Platform } from '../config/schema.js';
import { systemServiceEnv } from './plan-install.js';
import type { ServiceContext } from './service-context.js';
import { LAUNCHD_LABEL, UNIT_NAME, serviceConfigFile, serviceDefinitionFile, type ServiceMode } from './service-layout.js';
import type { PlanStep, ServicePlan } from './service-plan.js';

/** The configuration the installed service runs with, to name what stays behind; undefined when it cannot be read. */
function installedConfig(mode: ServiceMode, context: ServiceContext): ArenaConfig | undefined {
  const { system } = context;
  const configFile = serviceConfigFile(mode, context.platform, system);
  const platform: Platform =
    mode === 'system'
      ? { env: systemServiceEnv(system), home: system.stateDir, uid: 0, cwd: '/', exists: (file) => fs.existsSync(file) }
      : context.platform;
  try {
    return loadConfig({ platform, ...(fs.existsSync(configFile) ? { configFile } : {}) }).config;
  } catch {
    return undefined;
  }
}

function stopSteps(mode: ServiceMode, context: ServiceContext, definitionFile: string): PlanStep[] {
  if (mode === 'launchd') {
    return [
      { kind: 'run', command: ['launchctl', 'bootout', `gui/${context.platform.uid}/${LAUNCHD_LABEL}`], allowFailure: true },
      { kind: 'remove', path: definitionFile },
    ];
  }
  const scope = mode === 'user' ? ['--user'] : [];
  return [
    // Fails harmlessly when the unit is already stopped and disabled.
    { kind: 'run', command: ['systemctl', ...scope, 'disable', '--now', UNIT_NAME], allowFailure: true },
    { kind: 'remove', path: definitionFile },
    // The user and its folders stay (the notes say how to remove them); the entries that would re-create them at boot go.
    ...(mode === 'system' ? [context.system.sysusersFile, context.system.tmpfilesFile].map((file): PlanStep => ({ kind: 'remove', path: file })) : []),
    { kind: 'run', command: ['systemctl', ...scope, 'daemon-reload'] },
    { kind: 'run', command: ['systemctl', ...scope, 'reset-failed', UNIT_NAME], allowFailure: true },
  ];
}

export function planUninstall(mode: ServiceMode, context: ServiceContext): ServicePlan {
  const definitionFile = serviceDefinitionFile(mode, context.platform, context.system);
  const configFile = serviceConfigFile(mode, context.platform, context.system);
  const base = { action: 'uninstall' as const, mode, definitionFile, configFile };
  if (!fs.existsSync(definitionFile)) {
    return { ...base, steps: [], notes: [`nothing to uninstall: ${definitionFile} does not exist`] };
  }
  const config = installedConfig(mode, context);
  const notes = [
    `kept the configuration ${configFile}`,
    `kept the state ${config?.state.dir ?? '(state.dir)'} and the cache ${config?.cache.root ?? '(cache.root)'}; the models on the NAS are untouched. Remove the cache and state by hand if you no longer want them`,
  ];
  if (mode === 'system') notes.push(`kept the system user ${context.system.user}; remove it with: sudo userdel ${context.system.user}`);
  return { ...base, steps: stopSteps(mode, context, definitionFile), notes };
}
