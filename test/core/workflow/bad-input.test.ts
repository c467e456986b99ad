import test from 'ava';
import { Buffer } from 'node:buffer';
import { parseWorkflowBytes, parseWorkflowValue, WorkflowError } from '../../../src/core/workflow/index.js';
import { refLines } from '../../helpers/workflow-fixtures.js';

function reasonFor(bytes: Uint8Array | string): string {
  try {
    parseWorkflowBytes(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes);
  } catch (error) {
    if (!(error instanceof WorkflowError)) throw error;
    if (error.message.includes('\n')) throw new Error(`reason is not one line: ${error.message}`, { cause: error });
    return error.message;
  }
  throw new Error('parsed without error');
}

test('a 0-byte file and a whitespace-only file are empty', (t) => {
  t.is(reasonFor(new Uint8Array(0)), 'empty file');
  t.is(reasonFor(' \n\t '), 'empty file: it holds only whitespace');
});

test('truncated JSON says where the file ends, in bytes', (t) => {
  const whole = JSON.stringify({ nodes: [{ id: 1, type: 'LoraLoader', widgets_values: ['é.safetensors'] }] });
  for (const cut of [1, 10, 40, whole.length - 1]) {
    const bytes = Buffer.from(whole.slice(0, cut), 'utf8');
    t.is(reasonFor(bytes), `truncated JSON at byte ${bytes.length}`, `cut at ${cut}`);
  }
});

test('invalid JSON gives the byte offset when V8 gives a position, and never quotes the file', (t) => {
  t.is(reasonFor('{"nodes": [] x}'), "invalid JSON at byte 13: Expected ',' or '}' after property value");
  t.is(reasonFor('{"é": 1} trailing'), 'invalid JSON at byte 10: Unexpected non-whitespace character after JSON');
  const secret = `{"nodes": ${'x'.repeat(5000)}}`;
  t.is(reasonFor(secret), "invalid JSON: Unexpected token 'x'");
  t.is(reasonFor('[1,,2]'), "invalid JSON: Unexpected token ','");
});

test('a UTF-8 byte-order mark is accepted', (t) => {
  const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"1": {"class_type": "VAELoader", "inputs": {"vae_name": "v.pt"}}}')]);
  t.deepEqual(refLines(parseWorkflowBytes(bytes).refs), ['1 vae v.pt']);
});

test('binary garbage that is neither JSON, PNG nor WebP says what it starts with', (t) => {
  t.is(
    reasonFor(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0])),
    'not a workflow: the file is not JSON, PNG or WebP (it starts with bytes ff d8 ff e0)',
  );
});

test('JSON that is not an object is not a workflow', (t) => {
  t.is(reasonFor('"just a string"'), 'not a workflow: the JSON is a string');
  t.is(reasonFor('42'), 'not a workflow: the JSON is a number');
  t.is(reasonFor('null'), 'not a workflow: the JSON is null');
  t.is(reasonFor('{}'), 'not a workflow: the JSON is an empty object');
  t.is(reasonFor('{"nodes": {"1": {}}}'), 'not a workflow: "nodes" in the JSON is an object, not an array');
});

test('a 50 MB JSON array is rejected as an array', (t) => {
  const element = JSON.stringify('x'.repeat(998));
  const count = Math.ceil((50 * 1024 * 1024) / (element.length + 1));
  const bytes = Buffer.from(`[${Array.from({ length: count }, () => element).join(',')}]`);
  t.true(bytes.length >= 50 * 1024 * 1024);
  t.is(reasonFor(bytes), 'not a workflow: the JSON is an array');
});

test('JSON nested 10,000 deep does not overflow the stack anywhere', (t) => {
  const depth = 10_000;
  const deepArray = `${'['.repeat(depth)}${']'.repeat(depth)}`;
  const deepObject = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  // Deep values in every place a parser might walk: widget values, inputs, node lists, API inputs, wrappers.
  t.deepEqual(
    parseWorkflowBytes(Buffer.from(`{"nodes": [{"id": 1, "type": "Custom", "widgets_values": ${deepArray}}], "links": ${deepArray}}`)).refs,
    [],
  );
  t.deepEqual(
    parseWorkflowBytes(Buffer.from(`{"nodes": [{"id": 1, "type": "Custom", "widgets_values": ${deepObject}, "inputs": [${deepObject}]}]}`)).refs,
    [],
  );
  t.deepEqual(parseWorkflowBytes(Buffer.from(`{"nodes": ${deepArray}}`)).refs, []);
  t.deepEqual(parseWorkflowBytes(Buffer.from(`{"1": {"class_type": "Custom", "inputs": {"x": ${deepObject}}}}`)).refs, []);
  t.is(reasonFor(`${'{"prompt":'.repeat(depth)}{}${'}'.repeat(depth)}`), 'not a workflow: wrapped more than 4 levels deep');
  t.is(reasonFor(deepObject), 'not a workflow: the JSON has no "nodes" array (UI format) and no node with a "class_type" (API format)');
});

test('numbers where strings are expected are skipped, not thrown', (t) => {
  const parsed = parseWorkflowValue({
    nodes: [
      { id: 1, type: 'CheckpointLoaderSimple', mode: 0, widgets_values: [123] },
      { id: 2, type: 5, widgets_values: ['x.safetensors'] },
      { id: { nested: true }, type: 'LoraLoader', widgets_values: ['no-id.safetensors'] },
      { id: 3, type: 'LoraLoader', mode: '4', inputs: [{ name: 7, widget: { name: 8 }, link: 'x' }], widgets_values: ['kept.safetensors'] },
      { id: 4, type: 'CLIPTextEncode', widgets_values: [12.5] },
    ],
    links: [[1, 2], ['a', 'b', 'c', 'd', 'e'], { id: 3, origin_id: 1, origin_slot: '0' }],
    definitions: { subgraphs: [{ id: 9, nodes: 'none', inputs: 3 }] },
    extra: { groupNodes: { g: { nodes: 4 } } },
    models: 'none',
  });
  t.deepEqual(refLines(parsed.refs), ['3 loras kept.safetensors']);
  t.deepEqual(parseWorkflowValue({ '1': { class_type: 'LoraLoader', inputs: { lora_name: 7 } } }).refs, []);
});

test('nulls everywhere and nodes without widgets_values parse to nothing, without throwing', (t) => {
  const parsed = parseWorkflowValue({
    nodes: [
      null,
      { id: null, type: null },
      { id: 1, type: 'LoraLoader', mode: null, widgets_values: null, inputs: null, properties: null },
      { id: 2, type: 'CLIPTextEncode', inputs: [null, { name: null, link: null, widget: null }], widgets_values: [null] },
      { id: 3, type: 'VAELoader' },
      { id: 4, type: 'Custom', widgets_values: { a: null }, properties: { models: [null, { name: null, directory: null }] } },
      { id: 5, type: 'sg', inputs: [null] },
    ],
    links: [null, [null, null, null, null, null, null], { id: null }],
    definitions: { subgraphs: [null, { id: null }, { id: 'sg', nodes: [null], links: null, inputs: [null], definitions: null }] },
    extra: { groupNodes: null },
    models: [null],
  });
  t.deepEqual(parsed.refs, []);
  t.deepEqual(parsed.inactive, []);
  t.deepEqual(parseWorkflowValue({ '1': null, '2': { class_type: 'LoraLoader', inputs: null } }).refs, []);
  t.is(t.throws(() => parseWorkflowValue({ nodes: null }))?.message, 'not a workflow: "nodes" in the JSON is null, not an array');
});

test('subgraphs that multiply past the node budget are refused, not expanded forever', (t) => {
  // Ten levels, each holding ten instances of the next: 10^10 nodes if expanded.
  const subgraphs = Array.from({ length: 10 }, (_, level) => ({
    id: `level-${level}`,
    nodes: Array.from({ length: 10 }, (_, index) => ({
      id: index,
      type: level === 9 ? 'LoraLoader' : `level-${level + 1}`,
      mode: 0,
      widgets_values: ['x.safetensors'],
    })),
  }));
  const error = t.throws(() => parseWorkflowValue({ nodes: [{ id: 1, type: 'level-0', mode: 0 }], definitions: { subgraphs } }), {
    instanceOf: WorkflowError,
  });
  t.regex(error.message, /^the workflow expands to more than \d+ nodes \(counting the nodes of every subgraph instance\)/);
});

test('parseWorkflowValue rejects non-objects with the same one-line reasons', (t) => {
  t.is(t.throws(() => parseWorkflowValue([1, 2]))?.message, 'not a workflow: the JSON is an array');
  t.is(t.throws(() => parseWorkflowValue(undefined))?.message, 'not a workflow: the JSON is undefined');
});
