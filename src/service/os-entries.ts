/**
 * The OS side of the system install, rendered from the package's
 * `service/` folder: a sysusers.d entry for the daemon's user and a
 * tmpfiles.d entry for the folders it writes outside StateDirectory= and
 * CacheDirectory=. Where systemd-sysusers and systemd-tmpfiles exist they
 * create both (and the folders come back after a reboot that emptied them);
 * elsewhere useradd, mkdir and chown do the same (apply-plan.ts).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { PackagePaths } from './package-paths.js';
import type { SystemLayout } from './service-layout.js';
import { renderTemplate } from './template.js';

export const NOLOGIN_SHELL = '/usr/sbin/nologin';
export const USER_COMMENT = 'ComfyUI Arena daemon';

export interface OwnedFolder {
  readonly path: string;
  readonly user: string;
  readonly group: string;
}

async function template(paths: PackagePaths, name: string): Promise<string> {
  return fs.readFile(path.join(paths.serviceDir, name), 'utf8');
}

/** systemd-sysusers quotes a field with spaces; nothing else here needs it. */
function field(value: string): string {
  return /\s/.test(value) ? `"${value.replaceAll('"', '\\"')}"` : value;
}

export async function renderSysusers(paths: PackagePaths, system: SystemLayout): Promise<string> {
  const entries =
    system.group === system.user
      ? [`u ${field(system.user)} - ${field(USER_COMMENT)} ${field(system.stateDir)} ${NOLOGIN_SHELL}`]
      : [`g ${field(system.group)} -`, `u ${field(system.user)} -:${field(system.group)} ${field(USER_COMMENT)} ${field(system.stateDir)} ${NOLOGIN_SHELL}`];
  return renderTemplate(await template(paths, 'sysusers.d/arena.conf'), { entries: { lines: entries } }, 'service/sysusers.d/arena.conf');
}

export async function renderTmpfiles(paths: PackagePaths, folders: readonly OwnedFolder[]): Promise<string> {
  const lines = folders.map((folder) => `d ${field(folder.path)} 0750 ${field(folder.user)} ${field(folder.group)} -`);
  return renderTemplate(await template(paths, 'tmpfiles.d/arena.conf'), { folders: { lines } }, 'service/tmpfiles.d/arena.conf');
}
