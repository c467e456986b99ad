import test from 'ava';
import { parseWorkflowBytes, parseWorkflowValue } from '../../../src/core/workflow/index.js';
import { readWorkflowFixture, refLines } from '../../helpers/workflow-fixtures.js';

test('rgthree Power Lora Loader: each switched-on lora is a ref, a switched-off one is inactive', async (t) => {
  const parsed = parseWorkflowBytes(await readWorkflowFixture('ui-custom-loaders.json'));
  t.deepEqual(
    parsed.refs.filter((ref) => ref.nodeId === '1'),
    [
      {
        category: null,
        name: 'SD 1.5\\detail_tweaker.safetensors',
        nodeId: '1',
        nodeType: 'Power Lora Loader (rgthree)',
        input: 'lora',
        via: 'custom',
      },
      { category: null, name: 'characters/hero.safetensors', nodeId: '1', nodeType: 'Power Lora Loader (rgthree)', input: 'lora', via: 'custom' },
    ],
  );
  t.deepEqual(refLines(parsed.inactive.filter((ref) => ref.nodeId === '1')), ['1 ? switched_off.safetensors']);
});

test('custom loaders take their category from properties.models, then the workflow models list, else none', async (t) => {
  const parsed = parseWorkflowBytes(await readWorkflowFixture('ui-custom-loaders.json'));
  t.deepEqual(refLines(parsed.refs.filter((ref) => ref.nodeId !== '1')), [
    // `directory: "unet"` is the legacy alias of diffusion_models.
    '2 diffusion_models flux1-dev-Q4_K_S.gguf',
    '3 ? ip-adapter_sd15.safetensors',
    // The URL and the multi-line note in the same object are not model names.
    '4 ? sam_vit_b.pth',
    '6 upscale_models 4xNomos8k.pth',
  ]);
  t.true(parsed.refs.every((ref) => ref.via === 'custom'));
  t.deepEqual(refLines(parsed.inactive.filter((ref) => ref.nodeId === '5')), ['5 ? mm_sd_v15_v2.ckpt']);
});

test('properties.models matches the widget value with / and \\ alike', (t) => {
  const parsed = parseWorkflowValue({
    nodes: [
      {
        id: 1,
        type: 'IPAdapterModelLoader',
        mode: 0,
        properties: { models: [{ name: 'sd15/ip-adapter.safetensors', directory: 'ipadapter' }] },
        widgets_values: ['sd15\\ip-adapter.safetensors'],
      },
    ],
  });
  t.deepEqual(refLines(parsed.refs), ['1 ipadapter sd15\\ip-adapter.safetensors']);
});

test('notes, primitives and reroutes are never scanned for model names', (t) => {
  const parsed = parseWorkflowValue({
    nodes: [
      { id: 1, type: 'Note', mode: 0, widgets_values: ['get x.safetensors'] },
      { id: 2, type: 'MarkdownNote', mode: 0, widgets_values: ['y.safetensors'] },
      { id: 3, type: 'PrimitiveNode', mode: 0, widgets_values: ['z.safetensors'] },
      { id: 4, type: 'Reroute', mode: 0, widgets_values: ['w.safetensors'] },
      { id: 5, type: 'Note Plus (mtb)', mode: 0, widgets_values: ['v.safetensors'] },
      // Only a word "Note" marks a note: this one is a loader whose name merely contains "NotE".
      { id: 6, type: 'NotEmptyModelLoader', mode: 0, widgets_values: ['kept.safetensors'] },
    ],
  });
  t.deepEqual(refLines(parsed.refs), ['6 ? kept.safetensors']);
});

test('with recent frontends (a socket per widget) custom refs are named after their widget', (t) => {
  const parsed = parseWorkflowValue({
    nodes: [
      {
        id: 7,
        type: 'ADE_LoadAnimateDiffModel',
        mode: 0,
        inputs: [
          { name: 'model_name', type: 'COMBO', widget: { name: 'model_name' }, link: null },
          { name: 'beta', type: 'COMBO', widget: { name: 'beta' }, link: null },
        ],
        widgets_values: ['motion\\mm_sdxl.ckpt', 'auto'],
      },
    ],
  });
  t.deepEqual(parsed.refs, [
    { category: null, name: 'motion\\mm_sdxl.ckpt', nodeId: '7', nodeType: 'ADE_LoadAnimateDiffModel', input: 'model_name', via: 'custom' },
  ]);
});

test('a custom loader fed by a primitive counts the linked value once, under its widget name', (t) => {
  const parsed = parseWorkflowValue({
    nodes: [
      { id: 1, type: 'PrimitiveNode', mode: 0, widgets_values: ['mirrored.safetensors'] },
      {
        id: 2,
        type: 'CustomModelLoader',
        mode: 0,
        inputs: [{ name: 'model', type: 'COMBO', widget: { name: 'model' }, link: 1 }],
        widgets_values: ['mirrored.safetensors', 3],
      },
    ],
    links: [[1, 1, 0, 2, 0, 'COMBO']],
  });
  t.deepEqual(parsed.refs, [
    { category: null, name: 'mirrored.safetensors', nodeId: '2', nodeType: 'CustomModelLoader', input: 'model', via: 'custom' },
  ]);
});

test('API custom loaders: string literals with model extensions, rgthree objects honour on:false', (t) => {
  const parsed = parseWorkflowValue({
    '1': {
      class_type: 'Power Lora Loader (rgthree)',
      inputs: {
        PowerLoraLoaderHeaderWidget: { type: 'PowerLoraLoaderHeaderWidget' },
        lora_1: { on: true, lora: 'api_on.safetensors', strength: 1 },
        lora_2: { on: false, lora: 'api_off.safetensors', strength: 1 },
        '➕ Add Lora': '',
        model: ['2', 0],
      },
    },
    '2': { class_type: 'UnetLoaderGGUF', inputs: { unet_name: 'q8\\flux.gguf' } },
    '3': { class_type: 'SaveImage', inputs: { filename_prefix: 'ComfyUI', images: ['1', 0] } },
  });
  t.deepEqual(refLines(parsed.refs), ['1 ? api_on.safetensors', '2 ? q8\\flux.gguf']);
  t.deepEqual(
    parsed.refs.map((ref) => ref.input),
    ['lora_1', 'unet_name'],
  );
  t.deepEqual(refLines(parsed.inactive), ['1 ? api_off.safetensors']);
});
