/**
 * A model library as people grow them: most files are LoRAs, a tenth are
 * checkpoints, and each category is sorted into base-model folders and then
 * creator or theme folders of a few dozen files each. Next to many models
 * lie the previews and metadata files that download helpers write, which a
 * scan must read past. Sizes are realistic but the files are sparse.
 */
import { closeSync, mkdirSync, openSync, ftruncateSync } from 'node:fs';
import path from 'node:path';
import { Prng } from './prng.js';

export interface LibraryModel {
  /** The folder under the root: the canonical category folder. */
  readonly category: string;
  /** Relative to the category folder, `/`-separated. */
  readonly name: string;
  readonly bytes: number;
}

const MB = 1e6;
const GB = 1e9;

/** Share of the library, and size range, per category. */
const CATEGORIES: ReadonlyArray<{ category: string; share: number; minBytes: number; maxBytes: number }> = [
  { category: 'loras', share: 0.46, minBytes: 9 * MB, maxBytes: 230 * MB },
  { category: 'embeddings', share: 0.12, minBytes: 4e3, maxBytes: 200e3 },
  { category: 'checkpoints', share: 0.1, minBytes: 2 * GB, maxBytes: 7 * GB },
  { category: 'diffusion_models', share: 0.06, minBytes: 2 * GB, maxBytes: 24 * GB },
  { category: 'controlnet', share: 0.06, minBytes: 700 * MB, maxBytes: 2.5 * GB },
  { category: 'upscale_models', share: 0.04, minBytes: 16 * MB, maxBytes: 70 * MB },
  { category: 'vae', share: 0.03, minBytes: 160 * MB, maxBytes: 340 * MB },
  { category: 'text_encoders', share: 0.03, minBytes: 240 * MB, maxBytes: 10 * GB },
  { category: 'clip_vision', share: 0.02, minBytes: 600 * MB, maxBytes: 3.7 * GB },
  { category: 'ipadapter', share: 0.02, minBytes: 40 * MB, maxBytes: 1.7 * GB },
];

const BASES = ['SD1.5', 'SDXL', 'Pony', 'Illustrious', 'Flux', 'SD3.5', 'Wan'];
const THEMES = ['style', 'character', 'concept', 'clothing', 'pose', 'detail', 'lighting', 'anime', 'photo', 'architecture', 'vehicle', 'fantasy'];
const WORDS = [
  'Detail',
  'Tweaker',
  'Cinematic',
  'Neon',
  'Noir',
  'Film Grain',
  'Watercolor',
  'Ink',
  'Pastel',
  'Retro',
  'Cyber',
  'Portrait',
  'Landscape',
  'Glow',
  'Sharp',
  'Soft',
  'Dream',
];
const EXTENSIONS = ['.safetensors', '.safetensors', '.safetensors', '.safetensors', '.safetensors', '.safetensors', '.ckpt', '.pt', '.bin', '.gguf'];
const FILES_PER_FOLDER = 60;

/** `count` models, spread over categories and two levels of subfolders; the same for a given seed. */
export function libraryLayout(count: number, seed = 1): LibraryModel[] {
  const random = new Prng(seed);
  const models: LibraryModel[] = [];
  let left = count;
  CATEGORIES.forEach(({ category, share, minBytes, maxBytes }, index) => {
    const inCategory = index === CATEGORIES.length - 1 ? left : Math.round(count * share);
    left -= inCategory;
    for (let made = 0; made < inCategory; made += 1) {
      const folder = Math.floor(made / FILES_PER_FOLDER);
      const base = BASES[folder % BASES.length]!;
      const theme = `${THEMES[Math.floor(folder / BASES.length) % THEMES.length]!}-${Math.floor(folder / (BASES.length * THEMES.length))}`;
      // Embeddings are named in prompt text, where a name ends at the first space: theirs have none.
      const name =
        category === 'embeddings'
          ? `${base}/${theme}/${random.pick(WORDS).replace(/ /g, '')}-${made}${random.pick(['.safetensors', '.pt'])}`
          : `${base}/${theme}/${random.pick(WORDS)} ${random.pick(WORDS)} v${random.int(1, 9)}.${random.int(0, 9)} (${made})${random.pick(EXTENSIONS)}`;
      models.push({ category, name, bytes: random.int(minBytes, maxBytes) });
    }
  });
  return models;
}

/**
 * Creates the library under root: each model a sparse file of its size, and
 * beside a quarter of them a `.preview.png` and a `.civitai.info`, as
 * download helpers leave them. Returns how many files it made in all.
 */
export function writeLibrary(root: string, models: readonly LibraryModel[], seed = 2): number {
  const random = new Prng(seed);
  const made = new Set<string>();
  let files = 0;
  const create = (file: string, bytes: number) => {
    const dir = path.dirname(file);
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    const fd = openSync(file, 'w');
    try {
      if (bytes > 0) ftruncateSync(fd, bytes);
    } finally {
      closeSync(fd);
    }
    files += 1;
  };
  for (const model of models) {
    const file = path.join(root, model.category, ...model.name.split('/'));
    create(file, model.bytes);
    if (random.chance(0.25)) {
      const stem = file.slice(0, file.length - path.extname(file).length);
      create(`${stem}.preview.png`, 0);
      create(`${stem}.civitai.info`, 0);
    }
  }
  return files;
}
