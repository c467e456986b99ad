import { ConfigError } from '../config/errors.js';
import { loadConfig } from '../config/load-config.js';
import { defaultSocketPath } from '../config/schema.js';
import type { CliIo } from './cli-io.js';

/**
 * Where arenactl looks for the daemon: --socket, else ARENA_SOCKET, else the
 * config file's control.socket (a system install writes it there), else the
 * default. A broken config must not stop `arenactl status` from trying.
 */
export function resolveSocketPath(explicit: string | undefined, io: CliIo): string {
  if (explicit) return explicit;
  const { env, uid } = io.platform;
  if (env.ARENA_SOCKET) return env.ARENA_SOCKET;
  try {
    // A typo elsewhere in the file must not send arenactl to the wrong socket.
    return loadConfig({ platform: io.platform, unknownKeys: 'warn' }).config.control.socket;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return defaultSocketPath(env, uid, (file) => io.platform.exists(file));
  }
}
