/**
 * `arenactl update identify`: what local files are, by their sha256, asked of
 * CivitAI's by-hash endpoint, with a manifest entry for each one it knows.
 * (Hugging Face has no lookup by content, so its files are not identified.)
 */
import { ArenaError, messageOf } from '../core/arena-error.js';
import type { UpdateContext } from './update-context.js';
import type { IdentifiedFile } from './update-results.js';

export interface LocalFile {
  readonly target: string;
  readonly path: string;
  readonly bytes: number;
}

function failure(error: unknown): { code: string; message: string } {
  return { code: error instanceof ArenaError ? error.code : 'E_INTERNAL', message: messageOf(error) };
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
