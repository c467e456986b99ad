import test from 'ava';
import { parseWorkflowBytes, parseWorkflowValue } from '../../../src/core/workflow/index.js';
import { readWorkflowFixture, refLines } from '../../helpers/workflow-fixtures.js';

test('a PrimitiveNode feeds a converted widget through a chain of Reroutes (object-form links)', async (t) => {
  const parsed = parseWorkflowBytes(await readWorkflowFixture('ui-primitives-and-prompts.json'));
  t.deepEqual(
    parsed.refs.filter((ref) => ref.via === 'loader'),
    [{ category: 'loras', name: 'Styles\\watercolor.safetensors', nodeId: '4', nodeType: 'LoraLoader', input: 'lora_name', via: 'loader' }],
  );
});

test('array-form links are followed the same way', (t) => {
  const parsed = parseWorkflowValue({
    nodes: [
      { id: 1, type: 'PrimitiveNode', mode: 0, widgets_values: ['linked.safetensors', 'fixed'] },
      {
        id: 2,
        type: 'CheckpointLoaderSimple',
        mode: 0,
        inputs: [{ name: 'ckpt_name', type: 'COMBO', widget: { name: 'ckpt_name' }, link: 9 }],
        widgets_values: ['stale.safetensors'],
      },
    ],
    links: [[9, 1, 0, 2, 0, 'COMBO']],
  });
  t.deepEqual(refLines(parsed.refs), ['2 checkpoints linked.safetensors']);
});

test('links keyed by id in an object are read too', (t) => {
  const parsed = parseWorkflowValue({
    nodes: [
      { id: 1, type: 'PrimitiveNode', mode: 0, widgets_values: ['keyed.safetensors'] },
      {
        id: 2,
        type: 'VAELoader',
        mode: 0,
        inputs: [{ name: 'vae_name', widget: { name: 'vae_name' }, link: 3 }],
        widgets_values: ['stale.safetensors'],
      },
    ],
    links: { '3': { id: 3, origin_id: 1, origin_slot: 0, target_id: 2, target_slot: 0 } },
  });
  t.deepEqual(refLines(parsed.refs), ['2 vae keyed.safetensors']);
});

test('a widget linked to a node that computes its value keeps its stored value', (t) => {
  const parsed = parseWorkflowValue({
    nodes: [
      { id: 1, type: 'StringConcatenate', mode: 0, inputs: [{ name: 'a', type: 'STRING', link: 4 }], widgets_values: ['x', 'y'] },
      {
        id: 2,
        type: 'LoraLoader',
        mode: 0,
        inputs: [{ name: 'lora_name', widget: { name: 'lora_name' }, link: 5 }],
        widgets_values: ['stored.safetensors', 1, 1],
      },
    ],
    links: [[5, 1, 0, 2, 0, 'STRING']],
  });
  t.deepEqual(refLines(parsed.refs), ['2 loras stored.safetensors']);
});

test('a Reroute loop or a dangling link does not hang and falls back to the stored value', (t) => {
  const parsed = parseWorkflowValue({
    nodes: [
      { id: 1, type: 'Reroute', mode: 0, inputs: [{ name: '', link: 2 }] },
      { id: 2, type: 'Reroute', mode: 0, inputs: [{ name: '', link: 1 }] },
      {
        id: 3,
        type: 'UNETLoader',
        mode: 0,
        inputs: [{ name: 'unet_name', widget: { name: 'unet_name' }, link: 1 }],
        widgets_values: ['loop.safetensors'],
      },
      {
        id: 4,
        type: 'UNETLoader',
        mode: 0,
        inputs: [{ name: 'unet_name', widget: { name: 'unet_name' }, link: 99 }],
        widgets_values: ['dangling.safetensors'],
      },
    ],
    links: [
      [1, 1, 0, 2, 0, '*'],
      [2, 2, 0, 1, 0, '*'],
    ],
  });
  t.deepEqual(refLines(parsed.refs), ['3 diffusion_models loop.safetensors', '4 diffusion_models dangling.safetensors']);
});

test('API links to a PrimitiveString are followed; links to computing nodes give no value', (t) => {
  const parsed = parseWorkflowValue({
    '1': { class_type: 'PrimitiveString', inputs: { value: 'api\\linked.safetensors' } },
    '2': { class_type: 'LoraLoaderModelOnly', inputs: { lora_name: ['1', 0], strength_model: 1, model: ['3', 0] } },
    '3': { class_type: 'UNETLoader', inputs: { unet_name: ['4', 0], weight_dtype: 'default' } },
    '4': { class_type: 'StringConcatenate', inputs: { string_a: 'a', string_b: 'b', delimiter: '' } },
  });
  t.deepEqual(refLines(parsed.refs), ['2 loras api\\linked.safetensors']);
});
