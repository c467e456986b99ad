/**
 * A system install shares the control socket with a group (docs/security.md: the
 * socket 0660 with a group, its folder 0750), so that users in that group can
 * run arenactl. The control server creates both private (0600, 0700); this
 * opens them to `control.socketGroup` right after the socket listens.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log/logger.js';
import { systemRunner, type CommandRunner } from './command-runner.js';
import { SocketGroupError } from './errors.js';

/** The gid of a group given by name or number, through NSS (`getent group`). */
export async function groupId(group: string, runner: CommandRunner = systemRunner): Promise<number> {
  if (/^\d+$/.test(group)) return Number(group);
  const result = await runner.run('getent', ['group', group], { timeoutMs: 10_000 });
  if (result.missing) {
    throw new SocketGroupError(`control.socketGroup ${group}: getent is not available to look the group up; give its numeric gid instead`);
  }
  const gid = Number(result.stdout.split('\n')[0]?.split(':')[2]);
  if (result.exitCode !== 0 || !Number.isInteger(gid)) {
    throw new SocketGroupError(`control.socketGroup ${group}: no such group; create it (groupadd ${group}) or clear control.socketGroup`);
  }
  return gid;
}

/** Gives the socket and its folder to `group`: 0660 and 0750. Does nothing when the group is empty. */
export async function openSocketToGroup(socketPath: string, group: string, logger: Logger, runner: CommandRunner = systemRunner): Promise<void> {
  if (group === '') return;
  const gid = await groupId(group, runner);
  const folder = path.dirname(socketPath);
  try {
    // Usually both already have the group (it is the daemon's own), and the
    // system unit's syscall filter refuses chown, so only a real change calls it.
    for (const target of [folder, socketPath]) {
      if ((await fs.stat(target)).gid !== gid) await fs.chown(target, -1, gid);
    }
  } catch (error) {
    throw new SocketGroupError(
      `cannot give the control socket ${socketPath} to group ${group} (gid ${gid}): ${(error as Error).message}; the daemon's user must be a member of that group`,
      { cause: error },
    );
  }
  await fs.chmod(folder, 0o750);
  await fs.chmod(socketPath, 0o660);
  logger.info('control socket shared with a group', { socket: socketPath, group, mode: '0660' });
}
