import path from 'node:path';
import { loadConfig } from '../../config/load-config.js';
import { DaemonUnreachableError } from '../../control/control-client.js';
import type { ConfigReport } from '../../control/contract/daemon.js';
import { ComfyRootError } from '../../comfy/errors.js';
import type { CliIo } from '../cli-io.js';
import { requestDaemon } from '../daemon-request.js';

/** The settings the comfy commands act on, from where they come. */
export interface ComfySettings {
  readonly comfyRoot: string;
  readonly cacheRoot: string;
  readonly libraryRoots: readonly string[];
  /** `daemon` when the running daemon said so, `local` when computed from this shell's sources. */
  readonly origin: ConfigReport['origin'];
}

/**
 * The running daemon's cache root and library when it answers, since it may
 * run with another environment (a service) than this shell; otherwise the
 * configuration as the daemon would load it here. `--comfy-root` wins.
 */
export async function comfySettings(socketPath: string, io: CliIo, comfyRootFlag: string | undefined): Promise<ComfySettings> {
  const configured = await configuredPaths(socketPath, io);
  const comfyRoot = comfyRootFlag === undefined ? configured.comfyRoot : path.resolve(io.platform.cwd, comfyRootFlag);
  if (comfyRoot === '') {
    throw new ComfyRootError('no ComfyUI folder is configured and ~/ComfyUI does not exist; pass --comfy-root DIR or set comfy.root');
  }
  return { ...configured, comfyRoot };
}

/** A path setting as the daemon reported it; these are strings, and '' stands for unset. */
function textOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** comfy.root, cache.root and library.roots of the running daemon, else of the configuration loaded here. */
async function configuredPaths(socketPath: string, io: CliIo): Promise<ComfySettings> {
  try {
    const { config } = await requestDaemon(socketPath, 'config.show');
    const roots = config.library?.roots;
    return {
      comfyRoot: textOf(config.comfy?.root),
      cacheRoot: textOf(config.cache?.root),
      libraryRoots: Array.isArray(roots) ? roots.map(String) : [],
      origin: 'daemon',
    };
  } catch (error) {
    if (!(error instanceof DaemonUnreachableError)) throw error;
  }
  const { config } = loadConfig({ platform: io.platform });
  return { comfyRoot: config.comfy.root, cacheRoot: config.cache.root, libraryRoots: config.library.roots, origin: 'local' };
}
