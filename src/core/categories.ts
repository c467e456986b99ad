/**
 * ComfyUI's model categories, their default folders under `models/`, and the
 * rules for model file names. Mirrors ComfyUI's `folder_paths.py`; see the
 * project's docs/architecture.md for where each rule comes from.
 */

/** Extensions ComfyUI treats as model files, plus `.gguf` from the GGUF custom loaders. */
export const MODEL_EXTENSIONS = ['.ckpt', '.pt', '.pt2', '.bin', '.pth', '.safetensors', '.pkl', '.sft', '.gguf'] as const;

/** The `configs` category holds model configs, which are YAML rather than weights. */
const CONFIG_EXTENSIONS = ['.yaml', '.yml'] as const;

/**
 * Each known category with its folders under `<comfy>/models`, in ComfyUI's
 * lookup order. Custom nodes add more categories; every unknown key is legal
 * and maps to a folder of its own name.
 */
export const CATEGORY_FOLDERS = {
  checkpoints: ['checkpoints'],
  configs: ['configs'],
  loras: ['loras'],
  vae: ['vae'],
  text_encoders: ['text_encoders', 'clip'],
  diffusion_models: ['unet', 'diffusion_models'],
  clip_vision: ['clip_vision'],
  style_models: ['style_models'],
  embeddings: ['embeddings'],
  diffusers: ['diffusers'],
  vae_approx: ['vae_approx'],
  controlnet: ['controlnet', 't2i_adapter'],
  gligen: ['gligen'],
  upscale_models: ['upscale_models'],
  latent_upscale_models: ['latent_upscale_models'],
  hypernetworks: ['hypernetworks'],
  photomaker: ['photomaker'],
  model_patches: ['model_patches'],
  audio_encoders: ['audio_encoders'],
} as const satisfies Record<string, readonly string[]>;

export type KnownCategory = keyof typeof CATEGORY_FOLDERS;

/** Legacy category keys that ComfyUI still accepts in `extra_model_paths.yaml`. */
export const CATEGORY_ALIASES: Readonly<Record<string, KnownCategory>> = {
  clip: 'text_encoders',
  unet: 'diffusion_models',
};

export function isKnownCategory(category: string): category is KnownCategory {
  return Object.hasOwn(CATEGORY_FOLDERS, category);
}

/** Maps a legacy alias to its category; any other key is returned unchanged. */
export function canonicalCategory(category: string): string {
  return CATEGORY_ALIASES[category] ?? category;
}

/**
 * Names the old AutoCache nodes accepted for categories (`LoRA`, `Checkpoint`,
 * `upscale`), mapped to ComfyUI's folder names, so that legacy settings keep
 * meaning what they meant.
 */
const LEGACY_CATEGORY_NAMES: Readonly<Record<string, string>> = {
  checkpoint: 'checkpoints',
  lora: 'loras',
  embedding: 'embeddings',
  upscale: 'upscale_models',
  hypernetwork: 'hypernetworks',
  diffusion: 'diffusion_models',
  unet_models: 'diffusion_models',
  style: 'style_models',
  animatediff: 'animatediff_models',
};

/** A category as a person or the old nodes wrote it (`LoRA`, `clip`), by ComfyUI's folder name. */
export function categoryName(name: string): string {
  const lower = name.trim().toLowerCase();
  return canonicalCategory(LEGACY_CATEGORY_NAMES[lower] ?? lower);
}

/** The folders under `models/` that ComfyUI looks in for a category, in order. */
export function defaultFolders(category: string): readonly string[] {
  const canonical = canonicalCategory(category);
  return isKnownCategory(canonical) ? CATEGORY_FOLDERS[canonical] : [canonical];
}

/**
 * The category a folder directly under `models/` (or under a configured
 * library root) belongs to: `clip` → text_encoders, `t2i_adapter` →
 * controlnet, an unknown folder → a custom category of the same name.
 */
export function categoryOfFolder(folder: string): string {
  for (const [category, folders] of Object.entries(CATEGORY_FOLDERS)) {
    if ((folders as readonly string[]).includes(folder)) return category;
  }
  return folder;
}

function lastExtension(fileName: string): string {
  const slash = Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\'));
  const base = fileName.slice(slash + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot).toLowerCase();
}

/** True when the name ends in a model extension (last extension, any case). */
export function hasModelExtension(fileName: string): boolean {
  return (MODEL_EXTENSIONS as readonly string[]).includes(lastExtension(fileName));
}

/** True when a file of this name counts as a model of the category. */
export function isModelFileFor(category: string, fileName: string): boolean {
  if (canonicalCategory(category) === 'configs') {
    return (CONFIG_EXTENSIONS as readonly string[]).includes(lastExtension(fileName));
  }
  return hasModelExtension(fileName);
}

/** No backslash, no empty, `.` or `..` segment, no leading or trailing slash. */
const ALREADY_NORMAL = /^(?!\.\.?(?:\/|$))(?:[^\\/]+\/(?!\.\.?(?:\/|$)))*[^\\/]+$/;

/**
 * The matching form of a model name: `/` and `\` are one separator, empty and
 * `.` segments drop out, and a leading `/` is stripped, as ComfyUI does.
 * Returns undefined for a name that would climb out of its folder with `..`,
 * or that is empty: no file can match it.
 */
export function normalizeModelName(name: string): string | undefined {
  // Most names are already normal: returning the same string keeps one copy of it in memory, not two.
  if (ALREADY_NORMAL.test(name)) return name;
  const segments: string[] = [];
  for (const segment of name.split(/[\\/]+/)) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') return undefined;
    segments.push(segment);
  }
  return segments.length === 0 ? undefined : segments.join('/');
}

/** `category/name` with the name normalised: the key the catalog, cache and ledger share. */
export function modelKey(category: string, name: string): string | undefined {
  const normalized = normalizeModelName(name);
  return normalized === undefined ? undefined : `${canonicalCategory(category)}/${normalized}`;
}

/** Splits `category/name` (as typed in `arenactl pin loras/x.safetensors`). */
export function parseModelKey(key: string): { category: string; name: string } | undefined {
  const normalized = normalizeModelName(key);
  if (normalized === undefined) return undefined;
  const slash = normalized.indexOf('/');
  if (slash <= 0) return undefined;
  return { category: canonicalCategory(normalized.slice(0, slash)), name: normalized.slice(slash + 1) };
}
