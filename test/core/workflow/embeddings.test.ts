import test from 'ava';
import { embeddingNamesIn, parseWorkflowBytes, parseWorkflowValue } from '../../../src/core/workflow/index.js';
import { readWorkflowFixture, refLines } from '../../helpers/workflow-fixtures.js';

test('embedding names end at whitespace, without trailing commas, parentheses or weights', (t) => {
  t.deepEqual(embeddingNamesIn('embedding:EasyNegative, (embedding:ink_v2:1.2), ((embedding:deep:0.85)) embedding:plain'), [
    'EasyNegative',
    'ink_v2',
    'deep',
    'plain',
  ]);
});

test('embedding names keep subfolders, backslashes and extensions as written', (t) => {
  t.deepEqual(embeddingNamesIn('embedding:neg\\bad-hands-5.pt,\nembedding:sub/style.safetensors'), ['neg\\bad-hands-5.pt', 'sub/style.safetensors']);
});

test('an embedding counts only at the start of the text, after whitespace, or after an unescaped parenthesis', (t) => {
  t.deepEqual(embeddingNamesIn('word,embedding:glued xembedding:inside \\(embedding:escaped\\) (embedding:ok)'), ['ok']);
});

test('negative and fractional weights are stripped; an empty name is no embedding', (t) => {
  t.deepEqual(embeddingNamesIn('(embedding:a:-0.5) (embedding:b:.8) embedding: (embedding:)'), ['a', 'b']);
});

test('UI prompts: embeddings come from the text a primitive feeds, not the stale widget value, and not from notes', async (t) => {
  const parsed = parseWorkflowBytes(await readWorkflowFixture('ui-primitives-and-prompts.json'));
  const embeddings = parsed.refs.filter((ref) => ref.via === 'embedding');
  t.deepEqual(refLines(embeddings), [
    '6 embeddings EasyNegative',
    '6 embeddings style\\ink_v2',
    '6 embeddings bad-hands-5.pt',
    '7 embeddings negative_hand',
    '7 embeddings EasyNegative',
  ]);
  t.true(embeddings.every((ref) => ref.input === 'text' && ref.nodeType === 'CLIPTextEncode'));
});

test('a repeated embedding in one prompt counts once for that node', async (t) => {
  const parsed = parseWorkflowBytes(await readWorkflowFixture('ui-primitives-and-prompts.json'));
  t.is(parsed.refs.filter((ref) => ref.nodeId === '7' && ref.name === 'EasyNegative').length, 1);
});

test('every text widget of a bypassed CLIPTextEncodeSDXL lands in inactive', async (t) => {
  const parsed = parseWorkflowBytes(await readWorkflowFixture('ui-primitives-and-prompts.json'));
  t.deepEqual(refLines(parsed.inactive), ['9 embeddings sdxl_g_emb', '9 embeddings sdxl_l_emb']);
});

test('API prompts: embeddings in literal text and in text linked from a string node', (t) => {
  const parsed = parseWorkflowValue({
    '3': { class_type: 'CLIPTextEncode', inputs: { text: '(embedding:neg_a:1.1), photo', clip: ['4', 1] } },
    '5': { class_type: 'PrimitiveStringMultiline', inputs: { value: 'embedding:from_primitive' } },
    '6': { class_type: 'CLIPTextEncodeFlux', inputs: { clip_l: ['5', 0], t5xxl: 'embedding:t5_side', guidance: 3.5, clip: ['4', 1] } },
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'base.safetensors' } },
  });
  // Integer-like keys come out in numeric order, as in any JavaScript object.
  t.deepEqual(refLines(parsed.refs), ['3 embeddings neg_a', '4 checkpoints base.safetensors', '6 embeddings from_primitive', '6 embeddings t5_side']);
  t.deepEqual(
    parsed.refs.filter((ref) => ref.via === 'embedding').map((ref) => ref.input),
    ['text', 'clip_l', 't5xxl'],
  );
});

test('with a socket per widget (recent frontends), each prompt field is named after its widget', (t) => {
  const widgets = ['width', 'height', 'crop_w', 'crop_h', 'target_width', 'target_height', 'text_g', 'text_l'];
  const parsed = parseWorkflowValue({
    nodes: [
      {
        id: 3,
        type: 'CLIPTextEncodeSDXL',
        mode: 0,
        inputs: [{ name: 'clip', type: 'CLIP', link: null }, ...widgets.map((name) => ({ name, widget: { name }, link: null }))],
        widgets_values: [1024, 1024, 0, 0, 1024, 1024, 'embedding:g_side', 'photo (embedding:l_side:0.7)'],
      },
    ],
  });
  t.deepEqual(
    parsed.refs.map((ref) => `${ref.input ?? '?'} ${ref.name}`),
    ['text_g g_side', 'text_l l_side'],
  );
});
