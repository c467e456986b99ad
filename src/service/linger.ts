/**
 * A user's systemd manager, and the user service with it, stops at logout
 * unless lingering is on for that user (`loginctl enable-linger`). ComfyUI
 * often runs headless or from a login that ends, so a user install checks.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Platform } from '../config/schema.js';
import type { CommandRunner } from './command-runner.js';

/** Where logind keeps one empty file per lingering user. */
const LINGER_DIR = '/var/lib/systemd/linger';

export function userName(platform: Pick<Platform, 'env'>): string {
  return platform.env.USER || platform.env.LOGNAME || os.userInfo().username;
}

/** true or false when it could be found out, undefined when neither logind nor its files answer. */
export async function lingerEnabled(runner: CommandRunner, uid: number, name?: string): Promise<boolean | undefined> {
  const result = await runner.run('loginctl', ['show-user', String(uid), '--property=Linger', '--value'], { timeoutMs: 10_000 });
  const answer = result.stdout.trim();
  if (result.exitCode === 0 && (answer === 'yes' || answer === 'no')) return answer === 'yes';
  // logind knows only users with a session or linger; its files answer for the rest.
  if (name !== undefined && fs.existsSync(LINGER_DIR)) return fs.existsSync(path.join(LINGER_DIR, name));
  return undefined;
}

/** What to tell a user whose service would stop at logout. */
export function lingerNote(platform: Pick<Platform, 'env'>, linger: boolean | undefined): string {
  const user = userName(platform);
  const how = `sudo loginctl enable-linger ${user}`;
  return linger === false
    ? `lingering is off for ${user}, so arenad stops when you log out; keep it running with: ${how}`
    : `could not find out whether lingering is on for ${user}; if arenad should run while you are logged out: ${how}`;
}
