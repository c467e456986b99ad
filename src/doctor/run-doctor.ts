/**
 * `arenactl doctor`: what is wrong with this install, each problem with its
 * fix. The checks live here, apart from the CLI, which only renders them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ArenaError, messageOf } from '../core/arena-error.js';
import type { ArenaConfig, Platform } from '../config/schema.js';
import { userName } from '../service/linger.js';
import { defaultServiceContext, type ServiceContext } from '../service/service-context.js';
import type { ServiceMode } from '../service/service-layout.js';
import { chooseMode } from '../service/service-mode.js';
import { serviceStatus } from '../service/service-status.js';
import { groupId } from '../service/socket-group.js';
import { checkCacheSpace, checkPermissions, type Identity } from './cache-checks.js';
import { fail, warn, type CheckResult } from './check.js';
import { checkComfyPaths } from './comfy-paths.js';
import { checkConfiguration } from './config-check.js';
import { checkDaemon, checkService } from './daemon-checks.js';
import type { DaemonQueries } from './daemon-queries.js';
import { checkInotify, checkRoot, rootGroups } from './roots.js';
import { checkUpdateEndpoints } from './updates.js';

/** What doctor reads of the machine, injected for tests. */
export interface DoctorEnvironment {
  readonly service: ServiceContext;
  /** The groups of the user running doctor. */
  readonly callerGroups: readonly number[];
  readonly inotifyLimitFile?: string;
  readonly updatesTimeoutMs?: number;
}

/** The machine doctor runs on, as it is. */
export function machineEnvironment(platform: Platform): DoctorEnvironment {
  return {
    service: defaultServiceContext(platform),
    callerGroups: [...new Set([...(process.getgroups?.() ?? []), process.getegid?.() ?? -1])].filter((gid) => gid >= 0),
  };
}

/** The service check, and the mode of the service when one is installed. */
async function serviceCheck(context: ServiceContext): Promise<{ result: CheckResult; installed?: ServiceMode }> {
  try {
    const mode = chooseMode({}, context, 'existing');
    const status = await serviceStatus(mode, context);
    return { result: checkService(status), ...(status.installed ? { installed: mode } : {}) };
  } catch (error) {
    if (!(error instanceof ArenaError)) throw error;
    return { result: warn('service', error.message, 'run arenad yourself') };
  }
}

/** uid and primary gid of a user, from NSS. */
async function identityOf(name: string, context: ServiceContext): Promise<Identity | undefined> {
  const result = await context.runner.run('getent', ['passwd', name], { timeoutMs: 10_000 });
  const fields = result.stdout.split('\n')[0]?.split(':') ?? [];
  if (result.exitCode !== 0 || fields.length < 4) return undefined;
  return { name, uid: Number(fields[2]), gids: [Number(fields[3])] };
}

/** `installed`: the mode of the installed service; a system service runs as its own user. */
async function permissionChecks(config: ArenaConfig, installed: ServiceMode | undefined, environment: DoctorEnvironment): Promise<CheckResult[]> {
  const { service } = environment;
  const caller: Identity = { name: userName(service.platform), uid: service.platform.uid, gids: environment.callerGroups };
  let daemonUser = caller;
  if (installed === 'system') {
    const systemUser = await identityOf(service.system.user, service);
    if (!systemUser) {
      return [
        fail(
          'permissions',
          `the system service runs as ${service.system.user}, and that user does not exist`,
          'sudo arenactl service install --system creates it',
        ),
      ];
    }
    daemonUser = systemUser;
  }
  let socketGroup: { name: string; gid: number } | undefined;
  const results: CheckResult[] = [];
  if (config.control.socketGroup) {
    try {
      socketGroup = { name: config.control.socketGroup, gid: await groupId(config.control.socketGroup, service.runner) };
    } catch (error) {
      results.push(
        fail('permissions', messageOf(error), `create the group (sudo groupadd ${config.control.socketGroup}) or clear control.socketGroup`),
      );
    }
  }
  const writable = [
    { key: 'cache.root', dir: config.cache.root },
    { key: 'state.dir', dir: config.state.dir },
  ];
  const readable = [
    ...(config.comfy.root ? [{ key: 'comfy.root', dir: config.comfy.root }] : []),
    ...config.library.roots.map((dir) => ({ key: 'library.roots', dir })),
  ];
  results.push(...(await checkPermissions({ writable, readable, daemonUser, caller, ...(socketGroup ? { socketGroup } : {}) })));
  return results;
}

async function configChecks(
  config: ArenaConfig,
  platform: Platform,
  installed: ServiceMode | undefined,
  environment: DoctorEnvironment,
): Promise<CheckResult[]> {
  const { env, home } = platform;
  const results: CheckResult[] = [await checkComfyPaths({ comfyRoot: config.comfy.root, cacheRoot: config.cache.root, env, home })];

  const groups = await rootGroups({ comfyRoot: config.comfy.root, libraryRoots: config.library.roots, cacheRoot: config.cache.root, env, home });
  const watched: string[] = [];
  if (groups.length === 0)
    results.push(
      fail(
        'root',
        'no model folders: neither comfy.root nor library.roots is set',
        'set comfy.root (ARENA_COMFY_ROOT) or library.roots (ARENA_LIBRARY_ROOTS)',
      ),
    );
  for (const group of groups) {
    const checked = await checkRoot(group, config.library.poll, config.library.pollInterval);
    results.push(checked.result);
    watched.push(...checked.watched);
  }
  // The predict watchers follow saved workflows and new images too.
  if (config.comfy.root) {
    for (const dir of ['user', 'output'].map((name) => path.join(config.comfy.root, name))) if (fs.existsSync(dir)) watched.push(dir);
  }
  results.push(
    await checkInotify({ os: environment.service.os, watched, ...(environment.inotifyLimitFile ? { limitFile: environment.inotifyLimitFile } : {}) }),
    ...(await checkCacheSpace({ cacheRoot: config.cache.root, minFreeBytes: config.cache.minFreeBytes })),
    ...(await permissionChecks(config, installed, environment)),
    ...(await checkUpdateEndpoints({
      manifest: config.updates.manifest,
      endpoints: [
        { key: 'updates.hfEndpoint', url: config.updates.hfEndpoint },
        { key: 'updates.civitaiEndpoint', url: config.updates.civitaiEndpoint },
      ],
      ...(environment.updatesTimeoutMs === undefined ? {} : { timeoutMs: environment.updatesTimeoutMs }),
    })),
  );
  return results;
}

export interface DoctorReport {
  readonly ok: boolean;
  readonly summary: { readonly pass: number; readonly warn: number; readonly fail: number };
  readonly checks: readonly CheckResult[];
}

function tally(results: readonly CheckResult[]): DoctorReport['summary'] {
  return {
    pass: results.filter((result) => result.status === 'pass').length,
    warn: results.filter((result) => result.status === 'warn').length,
    fail: results.filter((result) => result.status === 'fail').length,
  };
}

/**
 * Every check, in the order a reader fixes things: the daemon, the service,
 * the configuration (the one the running daemon loaded, when it answers),
 * then what that configuration names.
 */
export async function runDoctor(daemon: DaemonQueries, platform: Platform, environment: DoctorEnvironment): Promise<DoctorReport> {
  const config = await checkConfiguration(daemon, platform);
  const service = await serviceCheck(environment.service);
  const results: CheckResult[] = [await checkDaemon(daemon), service.result, config.result];
  if (config.config) results.push(...(await configChecks(config.config, platform, service.installed, environment)));
  const summary = tally(results);
  return { ok: summary.fail === 0, summary, checks: results };
}
