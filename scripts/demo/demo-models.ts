/**
 * What the demo's "NAS" holds and the workflow the demo user saves. Sizes are
 * real models' shrunk about fortyfold, so the copies take seconds, not minutes.
 */

const MIB = 1024 * 1024;

export interface DemoModel {
  readonly category: string;
  /** As ComfyUI names it: relative to the category folder, subfolders included. */
  readonly name: string;
  readonly bytes: number;
  /** What the file stands for, for the narration. */
  readonly role: string;
}

export const CHECKPOINT: DemoModel = { category: 'checkpoints', name: 'SDXL/juggernautXL_v9.safetensors', bytes: 160 * MIB, role: 'SDXL checkpoint' };
export const DETAIL_LORA: DemoModel = { category: 'loras', name: 'add-detail-xl.safetensors', bytes: 24 * MIB, role: 'LoRA' };
export const GRAIN_LORA: DemoModel = {
  category: 'loras',
  name: 'film-grain-xl.safetensors',
  bytes: 16 * MIB,
  role: 'LoRA (bypassed in the workflow)',
};
export const VAE: DemoModel = { category: 'vae', name: 'sdxl_vae.safetensors', bytes: 32 * MIB, role: 'VAE' };
export const TEXT_ENCODER: DemoModel = {
  category: 'text_encoders',
  name: 't5xxl_fp8_e4m3fn.safetensors',
  bytes: 64 * MIB,
  role: 'text encoder (for Flux, not this workflow)',
};

export const LIBRARY: readonly DemoModel[] = [CHECKPOINT, DETAIL_LORA, GRAIN_LORA, VAE, TEXT_ENCODER];

/** The models the portrait workflow really runs: its bypassed LoRA does not count. */
export const NEEDED: readonly DemoModel[] = [CHECKPOINT, DETAIL_LORA, VAE];

export function keyOf(model: DemoModel): string {
  return `${model.category}/${model.name}`;
}

const BYPASSED = 4;

/** A small SDXL portrait graph in the frontend's UI format, with a LoRA switched off. */
export function portraitWorkflow(): unknown {
  const node = (id: number, type: string, widgets: unknown[], mode = 0) => ({
    id,
    type,
    pos: [id * 40, 120],
    size: [320, 100],
    flags: {},
    order: id,
    mode,
    inputs: [],
    outputs: [],
    properties: { 'Node name for S&R': type },
    widgets_values: widgets,
  });
  return {
    last_node_id: 12,
    last_link_id: 0,
    nodes: [
      node(4, 'CheckpointLoaderSimple', [CHECKPOINT.name]),
      node(10, 'LoraLoader', [DETAIL_LORA.name, 0.8, 0.8]),
      node(11, 'LoraLoader', [GRAIN_LORA.name, 0.5, 0.5], BYPASSED),
      node(6, 'CLIPTextEncode', ['a portrait in soft window light, 85mm']),
      node(7, 'CLIPTextEncode', ['blurry, lowres']),
      node(5, 'EmptyLatentImage', [1024, 1024, 1]),
      node(3, 'KSampler', [156680208700286, 'randomize', 30, 6.5, 'dpmpp_2m', 'karras', 1]),
      node(12, 'VAELoader', [VAE.name]),
      node(8, 'VAEDecode', []),
      node(9, 'SaveImage', ['ComfyUI']),
    ],
    links: [],
    groups: [],
    config: {},
    extra: { ds: { scale: 1, offset: [0, 0] } },
    version: 0.4,
  };
}

/** The same graph as ComfyUI queues it (API format), which SaveImage writes into each image as `prompt`. */
export function portraitPrompt(): unknown {
  return {
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: CHECKPOINT.name } },
    '10': {
      class_type: 'LoraLoader',
      inputs: { lora_name: DETAIL_LORA.name, strength_model: 0.8, strength_clip: 0.8, model: ['4', 0], clip: ['4', 1] },
    },
    '6': { class_type: 'CLIPTextEncode', inputs: { text: 'a portrait in soft window light, 85mm', clip: ['10', 1] } },
    '7': { class_type: 'CLIPTextEncode', inputs: { text: 'blurry, lowres', clip: ['10', 1] } },
    '5': { class_type: 'EmptyLatentImage', inputs: { width: 1024, height: 1024, batch_size: 1 } },
    '3': {
      class_type: 'KSampler',
      inputs: {
        seed: 156680208700286,
        steps: 30,
        cfg: 6.5,
        sampler_name: 'dpmpp_2m',
        scheduler: 'karras',
        denoise: 1,
        model: ['10', 0],
        positive: ['6', 0],
        negative: ['7', 0],
        latent_image: ['5', 0],
      },
    },
    '12': { class_type: 'VAELoader', inputs: { vae_name: VAE.name } },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['12', 0] } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'ComfyUI', images: ['8', 0] } },
  };
}
