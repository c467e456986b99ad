/** The system unit as `arenactl service install` renders it for a typical machine, and a file to hand to systemd-analyze. */
import fs from 'node:fs';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import { packagePaths } from '../../src/service/package-paths.js';
import { renderSystemUnit } from '../../src/service/render-units.js';
import { tempDir } from './temp-dir.js';

export const paths = packagePaths();

export function systemUnit(
  overrides: { writable?: Array<{ path: string; optional: boolean }>; protectHome?: 'yes' | 'read-only'; node?: string } = {},
) {
  return renderSystemUnit({
    paths: { ...paths, node: overrides.node ?? paths.node },
    configFile: '/etc/arena/config.yaml',
    user: 'arena',
    group: 'arena',
    writable: overrides.writable ?? [
      { path: '/srv/ssd/arena cache', optional: false },
      { path: '/mnt/nas/models', optional: true },
    ],
    protectHome: overrides.protectHome ?? 'yes',
    protectHomeReason: 'hidden; none of the paths the daemon uses lies in one',
  });
}

/** Writes a unit's text to arenad.service in a fresh folder and returns the file. */
export async function unitFile(t: ExecutionContext, text: string): Promise<string> {
  const dir = await tempDir(t);
  const file = path.join(dir, 'arenad.service');
  fs.writeFileSync(file, text);
  return file;
}
