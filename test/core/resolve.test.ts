import test from 'ava';
import { resolveWorkflow } from '../../src/core/resolve.js';
import { parseWorkflowValue, type ModelRef, type ParsedWorkflow } from '../../src/core/workflow/index.js';
import { MemoryCatalog } from '../helpers/memory-catalog.js';

function workflowOf(refs: ModelRef[], inactive: ModelRef[] = []): ParsedWorkflow {
  return { format: 'ui', container: 'json', refs, inactive, warnings: [] };
}

function ref(category: string | null, name: string, via: ModelRef['via'] = 'loader'): ModelRef {
  return { category, name, nodeId: '1', nodeType: 'TestNode', via };
}

test('a loader ref resolves to the path, key and size of the file, keeping the name as written', (t) => {
  const catalog = new MemoryCatalog([{ category: 'checkpoints', name: 'SD 1.5/juggernaut.safetensors', size: 2_132_625_894 }]);
  const resolution = resolveWorkflow(workflowOf([ref('checkpoints', 'SD 1.5\\juggernaut.safetensors')]), catalog);
  t.deepEqual(resolution.refs, [
    {
      ...ref('checkpoints', 'SD 1.5\\juggernaut.safetensors'),
      path: '/library/checkpoints/SD 1.5/juggernaut.safetensors',
      key: 'checkpoints/SD 1.5/juggernaut.safetensors',
      bytes: 2_132_625_894,
    },
  ]);
  t.deepEqual(resolution.unresolved, []);
});

test('the first file in lookup order wins (cache before library; text_encoders before clip)', (t) => {
  const catalog = new MemoryCatalog([
    { category: 'loras', name: 'a.safetensors', folder: '/ssd/loras' },
    { category: 'loras', name: 'a.safetensors', folder: '/nas/loras' },
    { category: 'text_encoders', name: 't5.safetensors', folder: '/nas/text_encoders' },
    { category: 'clip', name: 't5.safetensors', folder: '/nas/clip' },
  ]);
  const resolution = resolveWorkflow(workflowOf([ref('loras', 'a.safetensors'), ref('text_encoders', 't5.safetensors')]), catalog);
  t.deepEqual(
    resolution.refs.map((resolved) => resolved.path),
    ['/ssd/loras/a.safetensors', '/nas/text_encoders/t5.safetensors'],
  );
});

test('a missing file is unresolved as not-found, with a one-line message naming node and key', (t) => {
  const missing = { ...ref('loras', 'gone.safetensors'), nodeId: '12', nodeType: 'LoraLoader' };
  const resolution = resolveWorkflow(workflowOf([missing]), new MemoryCatalog([]));
  t.deepEqual(resolution.refs, [missing]);
  t.is(resolution.unresolved.length, 1);
  const [problem] = resolution.unresolved;
  t.like(problem, { ...missing, reason: 'not-found' });
  t.is(
    problem?.message,
    'loras/gone.safetensors (node 12, LoraLoader) is not in the library; add the file to a library root or fix the name in the workflow',
  );
});

test('a ref without category takes the one category that holds the name', (t) => {
  const catalog = new MemoryCatalog([
    { category: 'checkpoints', name: 'other.safetensors' },
    { category: 'ipadapter', name: 'sd15/ip-adapter.safetensors', folder: '/nas/ipadapter' },
  ]);
  const resolution = resolveWorkflow(workflowOf([ref(null, 'sd15\\ip-adapter.safetensors', 'custom')]), catalog);
  t.like(resolution.refs[0], {
    category: 'ipadapter',
    name: 'sd15\\ip-adapter.safetensors',
    key: 'ipadapter/sd15/ip-adapter.safetensors',
    path: '/nas/ipadapter/sd15/ip-adapter.safetensors',
  });
  t.deepEqual(resolution.unresolved, []);
});

test('a ref without category whose name is in several categories is ambiguous, with candidates', (t) => {
  const catalog = new MemoryCatalog([
    { category: 'loras', name: 'shared.safetensors' },
    { category: 'checkpoints', name: 'shared.safetensors' },
  ]);
  const resolution = resolveWorkflow(workflowOf([ref(null, 'shared.safetensors', 'custom')]), catalog);
  t.is(resolution.refs[0]?.path, undefined);
  t.is(resolution.refs[0]?.category, null);
  t.like(resolution.unresolved[0], { reason: 'ambiguous-category', candidates: ['loras/shared.safetensors', 'checkpoints/shared.safetensors'] });
  t.regex(resolution.unresolved[0]?.message ?? '', /several categories \(loras\/shared\.safetensors, checkpoints\/shared\.safetensors\)/);
});

test('a ref without category found nowhere is not-found', (t) => {
  const resolution = resolveWorkflow(
    workflowOf([ref(null, 'nowhere.gguf', 'custom')]),
    new MemoryCatalog([{ category: 'loras', name: 'x.safetensors' }]),
  );
  t.like(resolution.unresolved[0], { reason: 'not-found', category: null });
  t.regex(resolution.unresolved[0]?.message ?? '', /^"nowhere\.gguf" \(node 1, TestNode\) is not in the library in any category;/);
});

test('names that climb out of their folder or are empty are invalid-name', (t) => {
  const resolution = resolveWorkflow(workflowOf([ref('loras', '..\\..\\etc\\passwd'), ref('vae', '/')]), new MemoryCatalog([]));
  t.deepEqual(
    resolution.unresolved.map((problem) => problem.reason),
    ['invalid-name', 'invalid-name'],
  );
});

test('embeddings: exact name first, then with .safetensors/.pt/.bin, then in any subfolder', (t) => {
  const catalog = new MemoryCatalog([
    { category: 'embeddings', name: 'negatives/EasyNegative.safetensors' },
    { category: 'embeddings', name: 'EasyNegative.safetensors' },
    { category: 'embeddings', name: 'bare_name' },
    { category: 'embeddings', name: 'bare_name.pt' },
    { category: 'embeddings', name: 'hands/deep/bad-hands-5.pt' },
    { category: 'embeddings', name: 'style/ink_v2.bin' },
  ]);
  const names = ['EasyNegative', 'bare_name', 'bad-hands-5', 'style\\ink_v2', 'missing'];
  const resolution = resolveWorkflow(workflowOf(names.map((name) => ref('embeddings', name, 'embedding'))), catalog);
  t.deepEqual(
    resolution.refs.map((resolved) => resolved.key),
    ['embeddings/EasyNegative.safetensors', 'embeddings/bare_name', 'embeddings/hands/deep/bad-hands-5.pt', 'embeddings/style/ink_v2.bin', undefined],
  );
  t.deepEqual(
    resolution.refs.map((resolved) => resolved.name),
    names,
  );
  t.like(resolution.unresolved[0], { name: 'missing', reason: 'not-found' });
  t.regex(
    resolution.unresolved[0]?.message ?? '',
    /^embedding "missing" \(node 1, TestNode\) is not in the library \(looked for missing, missing\.safetensors, missing\.pt, missing\.bin/,
  );
});

test('taesd halves resolve to the first vae_approx file named <name>_encoder.* / _decoder.*', (t) => {
  const catalog = new MemoryCatalog([
    { category: 'vae_approx', name: 'taesdxl_decoder.pth' },
    { category: 'vae_approx', name: 'taesdxl_encoder.safetensors' },
    { category: 'vae_approx', name: 'taesdxl_encoder.pth' },
    { category: 'vae_approx', name: 'taesd_encoder.pth' },
  ]);
  const parsed = parseWorkflowValue({
    '1': { class_type: 'VAELoader', inputs: { vae_name: 'taesdxl' } },
    '2': { class_type: 'VAELoader', inputs: { vae_name: 'taesd' } },
  });
  const resolution = resolveWorkflow(parsed, catalog);
  t.deepEqual(
    resolution.refs.map((resolved) => `${resolved.name} -> ${resolved.key ?? '-'}`),
    [
      'taesdxl_encoder -> vae_approx/taesdxl_encoder.safetensors',
      'taesdxl_decoder -> vae_approx/taesdxl_decoder.pth',
      'taesd_encoder -> vae_approx/taesd_encoder.pth',
      'taesd_decoder -> -',
    ],
  );
  t.deepEqual(
    resolution.unresolved.map((problem) => problem.message),
    [
      'vae_approx/taesd_decoder (node 2, VAELoader) is not in the library (no file named taesd_decoder.*); add the file to a library root or fix the name in the workflow',
    ],
  );
});

test('inactive refs are resolved too but never listed as unresolved', (t) => {
  const catalog = new MemoryCatalog([{ category: 'loras', name: 'muted.safetensors' }]);
  const resolution = resolveWorkflow(workflowOf([], [ref('loras', 'muted.safetensors'), ref('loras', 'absent.safetensors')]), catalog);
  t.deepEqual(
    resolution.inactive.map((resolved) => resolved.path),
    ['/library/loras/muted.safetensors', undefined],
  );
  t.deepEqual(resolution.refs, []);
  t.deepEqual(resolution.unresolved, []);
});

test('a parsed workflow resolves end to end: loaders, a custom node via the catalog, pixel_space needs nothing', (t) => {
  const parsed = parseWorkflowValue({
    nodes: [
      { id: 1, type: 'CheckpointLoaderSimple', mode: 0, widgets_values: ['SDXL\\base.safetensors'] },
      { id: 2, type: 'VAELoader', mode: 0, widgets_values: ['pixel_space'] },
      { id: 3, type: 'IPAdapterModelLoader', mode: 0, widgets_values: ['ip.safetensors'] },
      { id: 4, type: 'CLIPTextEncode', mode: 0, widgets_values: ['(embedding:neg:1.1)'] },
    ],
    links: [],
  });
  const catalog = new MemoryCatalog([
    { category: 'checkpoints', name: 'SDXL/base.safetensors' },
    { category: 'ipadapter', name: 'ip.safetensors' },
    { category: 'embeddings', name: 'neg.pt' },
  ]);
  const resolution = resolveWorkflow(parsed, catalog);
  t.deepEqual(
    resolution.refs.map((resolved) => resolved.key),
    ['checkpoints/SDXL/base.safetensors', 'ipadapter/ip.safetensors', 'embeddings/neg.pt'],
  );
  t.deepEqual(resolution.unresolved, []);
});
