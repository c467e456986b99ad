import test from 'ava';
import { parseWorkflowBytes, parseWorkflowValue, WorkflowError } from '../../../src/core/workflow/index.js';
import { readWorkflowFixtureJson, refLines } from '../../helpers/workflow-fixtures.js';

test('bare, {prompt} and {input: {workflow}} API forms give the same references', async (t) => {
  const bare = await readWorkflowFixtureJson('api-core-loaders.json');
  const expected = parseWorkflowValue(bare);
  t.is(expected.format, 'api');
  t.true(expected.refs.length > 20);
  for (const wrapped of [{ prompt: bare, client_id: 'abc' }, { input: { workflow: bare } }, { prompt: { prompt: bare } }]) {
    const parsed = parseWorkflowValue(wrapped);
    t.is(parsed.format, 'api');
    t.deepEqual(parsed.refs, expected.refs);
  }
});

test('the {prompt} wrapper as file bytes, as a ComfyUI /prompt request body is saved', (t) => {
  const body = { prompt: { '9': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'x.safetensors' } } }, extra_data: {} };
  const parsed = parseWorkflowBytes(Buffer.from(JSON.stringify(body)));
  t.is(parsed.container, 'json');
  t.deepEqual(refLines(parsed.refs), ['9 checkpoints x.safetensors']);
});

test('flattened subgraph ids in API prompts are kept as written', (t) => {
  const parsed = parseWorkflowValue({ '18:17:3': { class_type: 'LoraLoader', inputs: { lora_name: 'deep.safetensors' } } });
  t.deepEqual(refLines(parsed.refs), ['18:17:3 loras deep.safetensors']);
});

test('entries without a class_type are skipped; an object with none at all is not a workflow', (t) => {
  const parsed = parseWorkflowValue({ '1': { class_type: 'VAELoader', inputs: { vae_name: 'v.safetensors' } }, '2': { inputs: {} }, '3': 'junk' });
  t.deepEqual(refLines(parsed.refs), ['1 vae v.safetensors']);
  const error = t.throws(() => parseWorkflowValue({ '1': { inputs: {} } }), { instanceOf: WorkflowError });
  t.is(error.message, 'not a workflow: the JSON has no "nodes" array (UI format) and no node with a "class_type" (API format)');
});

test('a wrapper holding a non-object says which wrapper', (t) => {
  const error = t.throws(() => parseWorkflowValue({ input: { workflow: { prompt: 'oops' } } }), { instanceOf: WorkflowError });
  t.is(error.message, 'not a workflow: "input.workflow" has no "nodes" array (UI format) and no node with a "class_type" (API format)');
});
