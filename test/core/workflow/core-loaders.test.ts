import test from 'ava';
import { parseWorkflowBytes, type ModelRef } from '../../../src/core/workflow/index.js';
import { readWorkflowFixture } from '../../helpers/workflow-fixtures.js';

/**
 * The core loader nodes of ComfyUI (src/core/workflow/ knows them), one node per row in both fixtures (same ids):
 * node id, node type, input name, category, the name written in the workflow.
 */
const EXPECTED: readonly [string, string, string, string, string][] = [
  ['1', 'CheckpointLoaderSimple', 'ckpt_name', 'checkpoints', 'SD 1.5\\juggernaut_reborn.safetensors'],
  ['2', 'unCLIPCheckpointLoader', 'ckpt_name', 'checkpoints', 'sd21-unclip-h.ckpt'],
  ['3', 'ImageOnlyCheckpointLoader', 'ckpt_name', 'checkpoints', 'svd_xt.safetensors'],
  ['4', 'CheckpointLoader', 'config_name', 'configs', 'v1-inference.yaml'],
  ['4', 'CheckpointLoader', 'ckpt_name', 'checkpoints', 'v15/legacy.ckpt'],
  ['5', 'LoraLoader', 'lora_name', 'loras', 'styles/ink.safetensors'],
  ['6', 'LoraLoaderModelOnly', 'lora_name', 'loras', 'hyper-8step.safetensors'],
  ['7', 'VAELoader', 'vae_name', 'vae', 'sdxl_vae.safetensors'],
  ['8', 'UNETLoader', 'unet_name', 'diffusion_models', 'flux1-dev.safetensors'],
  ['9', 'CLIPLoader', 'clip_name', 'text_encoders', 't5xxl_fp16.safetensors'],
  ['10', 'DualCLIPLoader', 'clip_name1', 'text_encoders', 'clip_l.safetensors'],
  ['10', 'DualCLIPLoader', 'clip_name2', 'text_encoders', 't5xxl_fp8.safetensors'],
  ['11', 'TripleCLIPLoader', 'clip_name1', 'text_encoders', 'clip_g.safetensors'],
  ['11', 'TripleCLIPLoader', 'clip_name2', 'text_encoders', 'clip_l.safetensors'],
  ['11', 'TripleCLIPLoader', 'clip_name3', 'text_encoders', 't5xxl_fp16.safetensors'],
  ['12', 'QuadrupleCLIPLoader', 'clip_name1', 'text_encoders', 'clip_g_hidream.safetensors'],
  ['12', 'QuadrupleCLIPLoader', 'clip_name2', 'text_encoders', 'clip_l_hidream.safetensors'],
  ['12', 'QuadrupleCLIPLoader', 'clip_name3', 'text_encoders', 't5xxl_fp8.safetensors'],
  ['12', 'QuadrupleCLIPLoader', 'clip_name4', 'text_encoders', 'llama_3.1_8b.safetensors'],
  ['13', 'ControlNetLoader', 'control_net_name', 'controlnet', 'control_v11p_sd15_canny.pth'],
  ['14', 'DiffControlNetLoader', 'control_net_name', 'controlnet', 't2i\\depth.safetensors'],
  ['15', 'UpscaleModelLoader', 'model_name', 'upscale_models', '4x-UltraSharp.pth'],
  ['16', 'LatentUpscaleModelLoader', 'model_name', 'latent_upscale_models', 'latent_upscaler_x2.safetensors'],
  ['17', 'CLIPVisionLoader', 'clip_name', 'clip_vision', 'clip_vision_h.safetensors'],
  ['18', 'StyleModelLoader', 'style_model_name', 'style_models', 'flux1-redux-dev.safetensors'],
  ['19', 'GLIGENLoader', 'gligen_name', 'gligen', 'gligen_sd14_textbox_pruned.safetensors'],
  ['20', 'HypernetworkLoader', 'hypernetwork_name', 'hypernetworks', 'anime_3.pt'],
  ['21', 'PhotoMakerLoader', 'photomaker_model_name', 'photomaker', 'photomaker-v2.bin'],
];

/** Node 22 is a VAELoader set to `taesdxl`; node 23 one set to `pixel_space`, which needs no file. */
const TAESD_PAIR: ModelRef[] = ['taesdxl_encoder', 'taesdxl_decoder'].map((name) => ({
  category: 'vae_approx',
  name,
  nodeId: '22',
  nodeType: 'VAELoader',
  input: 'vae_name',
  via: 'taesd' as const,
}));

const expectedRefs: ModelRef[] = [
  ...EXPECTED.map(([nodeId, nodeType, input, category, name]) => ({ category, name, nodeId, nodeType, input, via: 'loader' as const })),
  ...TAESD_PAIR,
];

test('every core loader of the UI format yields its model in the right category, names exactly as written', async (t) => {
  const parsed = parseWorkflowBytes(await readWorkflowFixture('ui-core-loaders.json'));
  t.is(parsed.format, 'ui');
  t.is(parsed.container, 'json');
  t.deepEqual(parsed.refs, expectedRefs);
});

test('a muted loader (mode 2) goes to inactive, not refs', async (t) => {
  const parsed = parseWorkflowBytes(await readWorkflowFixture('ui-core-loaders.json'));
  t.deepEqual(parsed.inactive, [
    { category: 'loras', name: 'muted.safetensors', nodeId: '24', nodeType: 'LoraLoader', input: 'lora_name', via: 'loader' },
  ]);
});

test('every core loader of the API format yields the same references by input name', async (t) => {
  const parsed = parseWorkflowBytes(await readWorkflowFixture('api-core-loaders.json'));
  t.is(parsed.format, 'api');
  t.deepEqual(parsed.refs, expectedRefs);
  t.deepEqual(parsed.inactive, []);
});

test('pixel_space and non-string or empty loader values give no reference', (t) => {
  const workflow = {
    nodes: [
      { id: 1, type: 'VAELoader', mode: 0, widgets_values: ['pixel_space'] },
      { id: 2, type: 'CheckpointLoaderSimple', mode: 0, widgets_values: [7] },
      { id: 3, type: 'LoraLoader', mode: 0, widgets_values: ['   ', 1, 1] },
      { id: 4, type: 'UNETLoader', mode: 0 },
    ],
    links: [],
  };
  const parsed = parseWorkflowBytes(Buffer.from(JSON.stringify(workflow)));
  t.deepEqual(parsed.refs, []);
});

test('a loader whose widgets_values is an object is read by widget name', (t) => {
  const workflow = { nodes: [{ id: 5, type: 'LoraLoader', mode: 0, widgets_values: { lora_name: 'obj\\form.safetensors', strength_model: 1 } }] };
  const parsed = parseWorkflowBytes(Buffer.from(JSON.stringify(workflow)));
  t.deepEqual(parsed.refs, [
    { category: 'loras', name: 'obj\\form.safetensors', nodeId: '5', nodeType: 'LoraLoader', input: 'lora_name', via: 'loader' },
  ]);
});
