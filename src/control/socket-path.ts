import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { ArenaError } from '../core/arena-error.js';
import type { Logger } from '../log/logger.js';

/** Unix socket paths longer than this fail to bind on Linux (108-byte sun_path). */
export const MAX_SOCKET_PATH_BYTES = 107;

/** The socket folder or file cannot be used safely. */
export class SocketPathError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_SOCKET', message, options);
    this.name = 'SocketPathError';
  }
}

/** A live daemon already answers on the socket. */
export class AlreadyRunningError extends ArenaError {
  constructor(socketPath: string) {
    super('E_ALREADY_RUNNING', `another arenad is already listening on ${socketPath}; stop it first (arenactl status shows its pid)`);
    this.name = 'AlreadyRunningError';
  }
}

function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8)}`;
}

/** Resolves true when something accepts a connection on the path. */
export function socketAnswers(socketPath: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect(socketPath);
    const done = (answer: boolean) => {
      probe.destroy();
      resolve(answer);
    };
    probe.setTimeout(timeoutMs, () => done(true)); // accepted but silent: still somebody's socket
    probe.once('connect', () => done(true));
    probe.once('error', () => done(false));
  });
}

/**
 * Makes the socket's folder private (0700, ours) and clears a stale socket
 * left by a crash. Refuses a folder another user owns, a shared sticky folder
 * such as /tmp, and a path where a live daemon answers.
 */
export async function prepareSocketPath(socketPath: string, uid: number, logger: Logger): Promise<void> {
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES) {
    throw new SocketPathError(
      `socket path ${socketPath} is ${Buffer.byteLength(socketPath)} bytes; Unix sockets allow at most ${MAX_SOCKET_PATH_BYTES}. Set control.socket to a shorter path`,
    );
  }
  const folder = path.dirname(socketPath);
  let stat = await fs.lstat(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new SocketPathError(`socket folder ${folder} cannot be read: ${error.message}`, { cause: error });
  });
  if (stat === undefined) {
    await fs.mkdir(folder, { recursive: true, mode: 0o700 });
    stat = await fs.lstat(folder);
  }
  if (!stat.isDirectory()) throw new SocketPathError(`socket folder ${folder} is not a directory`);
  if (stat.uid !== uid) {
    // In /tmp anyone can take the name first, to keep arenad from starting: say how to move away from it.
    throw new SocketPathError(
      `socket folder ${folder} is owned by uid ${stat.uid}, not by this user (uid ${uid}); refusing to put the control socket there. ` +
        `Set XDG_RUNTIME_DIR to your runtime folder (a login session sets /run/user/${uid}), or control.socket (ARENA_SOCKET) to a path in a folder only you can write; ` +
        `or have the owner of ${folder} remove it`,
    );
  }
  if (stat.mode & 0o1000) {
    throw new SocketPathError(
      `socket folder ${folder} is shared (sticky bit, like /tmp); put the socket in a private folder such as ${path.join(folder, `arena-${uid}`)}`,
    );
  }
  if ((stat.mode & 0o077) !== 0) {
    await fs.chmod(folder, 0o700);
    logger.info('made the socket folder private', { folder, from: octal(stat.mode), to: '0700' });
  }

  // Nothing there; any other reason it cannot be looked at resurfaces when the server binds the path.
  const existing = await fs.lstat(socketPath).catch(() => undefined);
  if (existing === undefined) return;
  if (!existing.isSocket()) {
    throw new SocketPathError(`${socketPath} exists and is not a socket; remove it or set control.socket elsewhere`);
  }
  if (await socketAnswers(socketPath)) throw new AlreadyRunningError(socketPath);
  logger.warn('removing a stale control socket left by a daemon that did not stop cleanly', { socket: socketPath });
  await fs.rm(socketPath, { force: true });
}
