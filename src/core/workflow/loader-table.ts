/**
 * ComfyUI's core loader nodes: which widget (by index in the UI format, by
 * input name in the API format) names a model, and in which category.
 */

export interface LoaderInput {
  /** Position in the node's `widgets_values` array (UI format). */
  readonly index: number;
  /** Input name (API format), which is also the widget name. */
  readonly input: string;
  readonly category: string;
}

const single = (input: string, category: string): readonly LoaderInput[] => [{ index: 0, input, category }];

const clipNames = (count: number): readonly LoaderInput[] =>
  Array.from({ length: count }, (_, index) => ({ index, input: `clip_name${index + 1}`, category: 'text_encoders' }));

const CORE_LOADERS: Readonly<Record<string, readonly LoaderInput[]>> = {
  CheckpointLoaderSimple: single('ckpt_name', 'checkpoints'),
  unCLIPCheckpointLoader: single('ckpt_name', 'checkpoints'),
  ImageOnlyCheckpointLoader: single('ckpt_name', 'checkpoints'),
  CheckpointLoader: [
    { index: 0, input: 'config_name', category: 'configs' },
    { index: 1, input: 'ckpt_name', category: 'checkpoints' },
  ],
  LoraLoader: single('lora_name', 'loras'),
  LoraLoaderModelOnly: single('lora_name', 'loras'),
  VAELoader: single('vae_name', 'vae'),
  UNETLoader: single('unet_name', 'diffusion_models'),
  CLIPLoader: single('clip_name', 'text_encoders'),
  DualCLIPLoader: clipNames(2),
  TripleCLIPLoader: clipNames(3),
  QuadrupleCLIPLoader: clipNames(4),
  ControlNetLoader: single('control_net_name', 'controlnet'),
  DiffControlNetLoader: single('control_net_name', 'controlnet'),
  UpscaleModelLoader: single('model_name', 'upscale_models'),
  LatentUpscaleModelLoader: single('model_name', 'latent_upscale_models'),
  CLIPVisionLoader: single('clip_name', 'clip_vision'),
  StyleModelLoader: single('style_model_name', 'style_models'),
  GLIGENLoader: single('gligen_name', 'gligen'),
  HypernetworkLoader: single('hypernetwork_name', 'hypernetworks'),
  PhotoMakerLoader: single('photomaker_model_name', 'photomaker'),
};

/** The model inputs of a core loader node, or undefined for any other node type. */
export function loaderInputs(nodeType: string): readonly LoaderInput[] | undefined {
  return Object.hasOwn(CORE_LOADERS, nodeType) ? CORE_LOADERS[nodeType] : undefined;
}

/** VAELoader values that load the `<name>_encoder.*` / `<name>_decoder.*` pair from vae_approx. */
const TAESD_NAMES: ReadonlySet<string> = new Set(['taesd', 'taesdxl', 'taesd3', 'taef1']);

/** The VAELoader value that decodes in pixel space and needs no file. */
const PIXEL_SPACE = 'pixel_space';

export type VaeChoice = { kind: 'file' } | { kind: 'none' } | { kind: 'taesd'; halves: readonly [string, string] };

/** What a VAELoader value means: a vae file, no file at all, or a taesd pair. */
export function vaeChoice(value: string): VaeChoice {
  if (value === PIXEL_SPACE) return { kind: 'none' };
  if (TAESD_NAMES.has(value)) return { kind: 'taesd', halves: [`${value}_encoder`, `${value}_decoder`] };
  return { kind: 'file' };
}
