/**
 * `arenactl update identify`: what local files are, by their sha256, asked of
 * CivitAI's by-hash endpoint, with a manifest entry for each one it knows.
 * (Hugging Face has no lookup by content, so its files are not identified.)
 */
import { ArenaError, messageOf } from '../core/arena-error.js';
import { modelKey } from '../core/categories.js';
import { TargetError } from './errors.js';
import { locateTarget, type UpdateLibrary } from './locate-target.js';
import type { ManifestEntry } from './manifest.js';
import { splitTarget, targetKey } from './tracked-manifest.js';
import type { UpdateContext } from './update-context.js';
import type { IdentifiedFile } from '../control/contract/update.js';

export interface LocalFile {
  readonly target: string;
  readonly path: string;
  readonly bytes: number;
}

function failure(error: unknown): { code: string; message: string } {
  return { code: error instanceof ArenaError ? error.code : 'E_INTERNAL', message: messageOf(error) };
}

/** The files to identify: the named targets (each must be in the library), or else every library model the manifest does not track. */
export async function filesToIdentify(library: UpdateLibrary, targets: readonly string[], tracked: readonly ManifestEntry[]): Promise<LocalFile[]> {
  const files: LocalFile[] = [];
  if (targets.length > 0) {
    for (const text of targets) {
      const key = targetKey(text);
      const located = await locateTarget(library, splitTarget(key));
      if (located.current === undefined) throw new TargetError(`${key} is not in the library`);
      files.push({ target: key, path: located.path, bytes: located.current.size });
    }
    return files;
  }
  const trackedTargets = new Set(tracked.map((entry) => entry.target));
  for (const entry of library.entries()) {
    const key = modelKey(entry.category, entry.name);
    if (key !== undefined && entry.available && !trackedTargets.has(key)) files.push({ target: key, path: entry.path, bytes: entry.size });
  }
  return files;
}

export async function identifyFiles(context: UpdateContext, files: readonly LocalFile[], signal?: AbortSignal): Promise<IdentifiedFile[]> {
  const identified: IdentifiedFile[] = [];
  for (const file of files) {
    let sha256: string;
    try {
      ({ sha256 } = await context.hashes.sha256(file.path, signal ? { signal } : {}));
    } catch (error) {
      identified.push({ ...file, error: { code: 'E_UPDATE_IO', message: `cannot read ${file.path}: ${messageOf(error)}` } });
      continue;
    }
    try {
      const version = await context.civitai.byHash(sha256, signal);
      if (version === undefined) {
        identified.push({ ...file, sha256, civitai: null });
        continue;
      }
      const modelId = version.modelId ?? null;
      identified.push({
        ...file,
        sha256,
        civitai: {
          modelId,
          modelName: version.model?.name ?? null,
          versionId: version.id,
          versionName: version.name ?? null,
          baseModel: version.baseModel ?? null,
        },
        suggestion: {
          target: file.target,
          civitai:
            modelId === null
              ? { versionId: version.id }
              : { modelId, track: 'latest', ...(version.baseModel === undefined ? {} : { baseModel: version.baseModel }) },
          keep: 1,
        },
      });
    } catch (error) {
      context.logger.warn('cannot identify a file', { target: file.target, err: messageOf(error) });
      identified.push({ ...file, sha256, error: failure(error) });
    }
  }
  return identified;
}
