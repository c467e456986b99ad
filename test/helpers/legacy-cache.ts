/**
 * The cache the old ComfyUI nodes left behind, for `arenactl migrate` to
 * adopt, and a migrate run against it.
 */
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import { arenactl } from './cli-run.js';
import { copyOf, legacyComfy, nasModel, oldCustomNode, writeText, type LegacyComfy } from './legacy-comfy.js';
import { writeModel } from './model-files.js';
import { tempDir } from './temp-dir.js';

const MiB = 1024 * 1024;

/** Library key → where the old nodes kept their copy, relative to their cache root. */
export const ADOPTABLE = {
  'checkpoints/sdxl.safetensors': { nas: 'checkpoints/sdxl.safetensors', old: 'checkpoints/sdxl.safetensors', bytes: 6 * MiB },
  'loras/style.safetensors': { nas: 'loras/style.safetensors', old: 'loras/SDXL/style.safetensors', bytes: 2 * MiB },
  'text_encoders/t5xxl.safetensors': { nas: 'clip/t5xxl.safetensors', old: 'clip/Flux/t5xxl.safetensors', bytes: 3 * MiB },
  'diffusion_models/flux.gguf': { nas: 'unet/flux.gguf', old: 'unet_models/Flux/flux.gguf', bytes: 4 * MiB },
} as const;
export const ADOPTED_BYTES = Object.values(ADOPTABLE).reduce((sum, model) => sum + model.bytes, 0);

export interface LegacyCache {
  readonly legacy: LegacyComfy;
  readonly env: NodeJS.ProcessEnv;
  readonly oldNode: string;
}

/**
 * A ComfyUI outside ~/ComfyUI whose old nodes cached in their default folder,
 * in both layouts, with a duplicate, files that match nothing, and the
 * leftovers of interrupted copies.
 */
export async function legacyCache(t: ExecutionContext): Promise<LegacyCache> {
  const legacy = legacyComfy(await tempDir(t), path.join('apps', 'ComfyUI'));
  for (const model of Object.values(ADOPTABLE)) {
    copyOf(nasModel(legacy, model.nas, model.bytes), path.join(legacy.oldCache, model.old));
  }
  // A second copy of flux, in the old nodes' GGUF category.
  copyOf(path.join(legacy.nas, 'unet', 'flux.gguf'), path.join(legacy.oldCache, 'gguf_models', 'flux.gguf'));
  // Files that match nothing: no such model, another size, the same size but other bytes.
  writeModel(path.join(legacy.oldCache, 'checkpoints', 'SD1.5', 'orphan.safetensors'), MiB);
  nasModel(legacy, 'loras/old-style.safetensors', MiB);
  writeModel(path.join(legacy.oldCache, 'loras', 'old-style.safetensors'), 2 * MiB);
  nasModel(legacy, 'vae/v.safetensors', MiB);
  writeModel(path.join(legacy.oldCache, 'vae', 'v.safetensors'), MiB);
  // Leftovers of the old nodes.
  writeModel(path.join(legacy.oldCache, 'checkpoints', 'big.safetensors.part'), MiB);
  writeText(path.join(legacy.oldCache, 'loras', 'style.safetensors.copying'), '12345');
  writeText(path.join(legacy.oldCache, '.arena_cache_index.json'), '{"files": {}}');
  writeText(legacy.envFile, `# Arena AutoCache\nARENA_NAS_ROOT=${legacy.nas}\nARENA_CACHE_MAX_GB=1\nARENA_AUTO_CACHE_ENABLED=1\n`);
  const oldNode = oldCustomNode(legacy);
  return { legacy, env: { ARENA_SOCKET: path.join(legacy.home, 'run', 'arenad.sock') }, oldNode };
}

export async function runMigrate(s: LegacyCache, ...flags: string[]) {
  return arenactl(['migrate', '--from', s.legacy.comfy, '--config', s.legacy.configFile, '--json', ...flags], s.legacy.home, s.env);
}
