import path from 'node:path';
import { loadConfig } from '../../config/load-config.js';
import { DaemonUnreachableError } from '../../control/control-client.js';
import type { ConfigReport } from '../../control/results.js';
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
  let origin: ConfigReport['origin'] = 'daemon';
  let config: Record<string, Record<string, unknown>>;
  try {
    config = (await requestDaemon<ConfigReport>(socketPath, 'config.show')).config;
  } catch (error) {
    if (!(error instanceof DaemonUnreachableError)) throw error;
    origin = 'local';
    config = loadConfig({ platform: io.platform }).config as unknown as Record<string, Record<string, unknown>>;
  }
  const configured = String(config.comfy?.root ?? '');
  const comfyRoot = comfyRootFlag === undefined ? configured : path.resolve(io.platform.cwd, comfyRootFlag);
  if (comfyRoot === '') {
    throw new ComfyRootError('no ComfyUI folder is configured and ~/ComfyUI does not exist; pass --comfy-root DIR or set comfy.root');
  }
  const roots = config.library?.roots;
  return {
    comfyRoot,
    cacheRoot: String(config.cache?.root ?? ''),
    libraryRoots: Array.isArray(roots) ? roots.map(String) : [],
    origin,
  };
}
