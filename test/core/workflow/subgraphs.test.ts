import test from 'ava';
import { parseWorkflowBytes, parseWorkflowValue } from '../../../src/core/workflow/index.js';
import { readWorkflowFixture, refLines } from '../../helpers/workflow-fixtures.js';

test('nested subgraphs (three levels) yield refs under execution paths outer:inner', async (t) => {
  const parsed = parseWorkflowBytes(await readWorkflowFixture('ui-nested-subgraphs.json'));
  t.deepEqual(refLines(parsed.refs), [
    // The instance's input is linked from a root PrimitiveNode: that value wins over the inner widget.
    '10:5 checkpoints SDXL\\juggernaut_xl.safetensors',
    // Level 2: the inner loader is fed from its subgraph input, which the instance promotes as a widget.
    '10:7:3 loras promoted_lora.safetensors',
    // Level 3, defined in the nested `definitions` of level 2.
    '10:7:8:2 diffusion_models flux\\flux1-schnell.safetensors',
  ]);
  t.deepEqual(parsed.warnings, []);
});

test('a bypassed node inside a subgraph and everything in a bypassed instance are inactive', async (t) => {
  const parsed = parseWorkflowBytes(await readWorkflowFixture('ui-nested-subgraphs.json'));
  t.deepEqual(refLines(parsed.inactive), [
    '10:6 loras bypassed_inside.safetensors',
    // Instance 11 has no link on its input: its own promoted widget value is used.
    '11:5 checkpoints bypassed_instance.safetensors',
    '11:6 loras bypassed_inside.safetensors',
    '11:7:3 loras promoted_lora.safetensors',
    '11:7:8:2 diffusion_models flux\\flux1-schnell.safetensors',
  ]);
});

test('an inner widget fed from a subgraph input the instance leaves empty keeps the definition value', (t) => {
  const parsed = parseWorkflowValue({
    nodes: [{ id: 4, type: 'sg-1', mode: 0, inputs: [], widgets_values: [] }],
    links: [],
    definitions: {
      subgraphs: [
        {
          id: 'sg-1',
          inputs: [{ name: 'vae' }],
          nodes: [
            {
              id: 9,
              type: 'VAELoader',
              mode: 0,
              inputs: [{ name: 'vae_name', widget: { name: 'vae_name' }, link: 1 }],
              widgets_values: ['definition.safetensors'],
            },
          ],
          links: [{ id: 1, origin_id: -10, origin_slot: 0, target_id: 9, target_slot: 0 }],
        },
      ],
    },
  });
  t.deepEqual(refLines(parsed.refs), ['4:9 vae definition.safetensors']);
});

test('a value can come out of a subgraph instance output (a string node inside it)', (t) => {
  const parsed = parseWorkflowValue({
    nodes: [
      { id: 1, type: 'sg-names', mode: 0, inputs: [] },
      {
        id: 2,
        type: 'UNETLoader',
        mode: 0,
        inputs: [{ name: 'unet_name', widget: { name: 'unet_name' }, link: 7 }],
        widgets_values: ['stale.safetensors', 'default'],
      },
    ],
    links: [[7, 1, 0, 2, 0, 'COMBO']],
    definitions: {
      subgraphs: [
        {
          id: 'sg-names',
          inputs: [],
          outputs: [{ name: 'name' }],
          nodes: [{ id: 3, type: 'PrimitiveString', mode: 0, inputs: [], widgets_values: ['from_inside.safetensors'] }],
          links: [{ id: 5, origin_id: 3, origin_slot: 0, target_id: -20, target_slot: 0 }],
        },
      ],
    },
  });
  t.deepEqual(refLines(parsed.refs), ['2 diffusion_models from_inside.safetensors']);
});

test('a subgraph that contains itself is entered once, with a warning, and does not loop', async (t) => {
  const parsed = parseWorkflowBytes(await readWorkflowFixture('ui-subgraph-contains-itself.json'));
  t.deepEqual(refLines(parsed.refs), ['1:2 vae loop_vae.safetensors']);
  t.is(parsed.warnings.length, 1);
  t.regex(parsed.warnings[0]!, /contains itself/);
});

test('two subgraphs that contain each other stop at the first repeat', (t) => {
  const parsed = parseWorkflowValue({
    nodes: [{ id: 1, type: 'sg-a', mode: 0 }],
    definitions: {
      subgraphs: [
        {
          id: 'sg-a',
          nodes: [
            { id: 2, type: 'sg-b', mode: 0 },
            { id: 3, type: 'LoraLoader', mode: 0, widgets_values: ['a.safetensors'] },
          ],
        },
        {
          id: 'sg-b',
          nodes: [
            { id: 4, type: 'sg-a', mode: 0 },
            { id: 5, type: 'LoraLoader', mode: 0, widgets_values: ['b.safetensors'] },
          ],
        },
      ],
    },
  });
  t.deepEqual(refLines(parsed.refs), ['1:2:5 loras b.safetensors', '1:3 loras a.safetensors']);
  t.is(parsed.warnings.length, 1);
});

test('a subgraph instance muted with mode 2 makes its inner refs inactive too', (t) => {
  const parsed = parseWorkflowValue({
    nodes: [{ id: 1, type: 'sg-m', mode: 2 }],
    definitions: { subgraphs: [{ id: 'sg-m', nodes: [{ id: 2, type: 'CLIPVisionLoader', mode: 0, widgets_values: ['vision.safetensors'] }] }] },
  });
  t.deepEqual(refLines(parsed.refs), []);
  t.deepEqual(refLines(parsed.inactive), ['1:2 clip_vision vision.safetensors']);
});

test('legacy group nodes: the instance values map onto inner widgets in order; a bypassed instance is inactive', async (t) => {
  const parsed = parseWorkflowBytes(await readWorkflowFixture('ui-group-node.json'));
  t.deepEqual(refLines(parsed.refs), ['3:0 checkpoints instance_ckpt.safetensors', '3:1 loras instance_lora.safetensors']);
  // Instance 4 (`workflow/NAME`, the older spelling) stores no values: the definition's values apply.
  t.deepEqual(refLines(parsed.inactive), ['4:0 checkpoints definition_ckpt.safetensors', '4:1 loras definition_lora.safetensors']);
});

test('promoted widget values are taken by position among the instance inputs that are widgets, or by name', (t) => {
  const definition = {
    id: 'sg-two',
    inputs: [{ name: 'model' }, { name: 'ckpt' }, { name: 'lora' }],
    nodes: [
      {
        id: 1,
        type: 'CheckpointLoaderSimple',
        mode: 0,
        inputs: [{ name: 'ckpt_name', widget: { name: 'ckpt_name' }, link: 11 }],
        widgets_values: ['def_ckpt.safetensors'],
      },
      {
        id: 2,
        type: 'LoraLoaderModelOnly',
        mode: 0,
        inputs: [{ name: 'lora_name', widget: { name: 'lora_name' }, link: 12 }],
        widgets_values: ['def_lora.safetensors', 1],
      },
    ],
    links: [
      { id: 11, origin_id: -10, origin_slot: 1, target_id: 1, target_slot: 0 },
      { id: 12, origin_id: -10, origin_slot: 2, target_id: 2, target_slot: 0 },
    ],
  };
  const inputs = [
    { name: 'model', type: 'MODEL', link: null },
    { name: 'ckpt', type: 'COMBO', widget: { name: 'ckpt' }, link: null },
    { name: 'lora', type: 'COMBO', widget: { name: 'lora' }, link: null },
  ];
  const parsed = parseWorkflowValue({
    nodes: [
      { id: 5, type: 'sg-two', mode: 0, inputs, widgets_values: ['pos_ckpt.safetensors', 'pos_lora.safetensors'] },
      { id: 6, type: 'sg-two', mode: 0, inputs, widgets_values_named: { lora: 'named_lora.safetensors' } },
    ],
    definitions: { subgraphs: [definition] },
  });
  t.deepEqual(refLines(parsed.refs), [
    '5:1 checkpoints pos_ckpt.safetensors',
    '5:2 loras pos_lora.safetensors',
    '6:1 checkpoints def_ckpt.safetensors',
    '6:2 loras named_lora.safetensors',
  ]);
});

test('an instance of a subgraph the workflow does not define is reported; its promoted values still count', (t) => {
  const parsed = parseWorkflowValue({
    nodes: [{ id: 3, type: 'e0000000-0000-4000-8000-00000000000e', mode: 0, widgets_values: ['promoted.safetensors'] }],
  });
  t.deepEqual(refLines(parsed.refs), ['3 ? promoted.safetensors']);
  t.deepEqual(parsed.warnings, [
    'node 3 is an instance of subgraph e0000000-0000-4000-8000-00000000000e, which the workflow does not define; the models inside it are unknown',
  ]);
});
