import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { spawnDaemon } from '../../helpers/daemon-process.js';
import { arenactl } from '../../helpers/cli-run.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { writeFile } from '../../helpers/platform.js';
import { pngWith, tEXt } from '../../helpers/image-bytes.js';

const WORKFLOW = {
  nodes: [
    { id: 4, type: 'CheckpointLoaderSimple', mode: 0, widgets_values: ['SDXL\\juggernaut.safetensors'] },
    { id: 5, type: 'LoraLoader', mode: 0, widgets_values: ['style.safetensors', 1, 1] },
    { id: 6, type: 'LoraLoader', mode: 4, widgets_values: ['bypassed.safetensors', 1, 1] },
    { id: 7, type: 'VAELoader', mode: 0, widgets_values: ['nowhere.safetensors'] },
  ],
  links: [],
  version: 0.4,
};

async function library(t: import('ava').ExecutionContext): Promise<string> {
  const root = await tempDir(t);
  fs.mkdirSync(path.join(root, 'checkpoints', 'SDXL'), { recursive: true });
  fs.mkdirSync(path.join(root, 'loras'), { recursive: true });
  fs.truncateSync(writeFile(path.join(root, 'checkpoints', 'SDXL', 'juggernaut.safetensors'), ''), 6_938_040_320);
  fs.truncateSync(writeFile(path.join(root, 'loras', 'style.safetensors'), ''), 150_000_000);
  fs.truncateSync(writeFile(path.join(root, 'loras', 'bypassed.safetensors'), ''), 10_000_000);
  return root;
}

interface PredictJson {
  format: string;
  catalog: string | null;
  refs: Array<{ category: string; name: string; nodeId: string; nodeType: string; path?: string }>;
  inactive: Array<{ name: string; path?: string }>;
  unresolved: Array<{ name: string; reason: string }>;
}

test('predict --library resolves against that folder with no daemon, keeping names as written', async (t) => {
  const home = await tempDir(t);
  const root = await library(t);
  const file = writeFile(path.join(home, 'wf.json'), JSON.stringify(WORKFLOW));
  const result = await arenactl(['predict', file, '--library', root, '--json', '--socket', path.join(home, 'none.sock')], home);
  t.is(result.code, 4, 'vae/nowhere.safetensors is not in the library');
  const body = result.json<PredictJson>();
  t.is(body.format, 'ui');
  t.is(body.catalog, 'library');
  t.deepEqual(
    body.refs.map((ref) => [ref.category, ref.name, ref.nodeId, ref.nodeType, ref.path]),
    [
      [
        'checkpoints',
        'SDXL\\juggernaut.safetensors',
        '4',
        'CheckpointLoaderSimple',
        path.join(root, 'checkpoints', 'SDXL', 'juggernaut.safetensors'),
      ],
      ['loras', 'style.safetensors', '5', 'LoraLoader', path.join(root, 'loras', 'style.safetensors')],
      ['vae', 'nowhere.safetensors', '7', 'VAELoader', undefined],
    ],
  );
  t.deepEqual(
    body.inactive.map((ref) => [ref.name, ref.path]),
    [['bypassed.safetensors', path.join(root, 'loras', 'bypassed.safetensors')]],
  );
  t.deepEqual(
    body.unresolved.map((ref) => [ref.name, ref.reason]),
    [['nowhere.safetensors', 'not-found']],
  );

  const human = await arenactl(['predict', file, '--library', root], home);
  t.is(human.code, 4);
  t.regex(human.stdout, /^unresolved: vae\/nowhere\.safetensors \(node 7, VAELoader\) is not in the library/m);
  t.regex(human.stdout, /checkpoints\s+SDXL\\juggernaut\.safetensors\s+4 CheckpointLoaderSimple\s+.*juggernaut\.safetensors \(6\.9 GB\)/);
  t.regex(human.stdout, /vae\s+nowhere\.safetensors\s+7 VAELoader\s+NOT FOUND/);
});

test('predict asks the running daemon for its catalog when no --library is given', async (t) => {
  const home = await tempDir(t);
  const root = await library(t);
  const daemon = await spawnDaemon(t, { home, env: { ARENA_LIBRARY_ROOTS: root } });
  // Files written a moment ago settle before they count.
  await daemon.waitForState((status) => status.library.models === 3, 'the three models in the catalog');
  const png = writeFile(path.join(home, 'out.png'), '');
  fs.writeFileSync(png, pngWith(tEXt('workflow', JSON.stringify(WORKFLOW))));
  const result = await arenactl(['predict', png, '--json'], home, { ARENA_SOCKET: daemon.socketPath });
  t.is(result.code, 4, result.stderr);
  const body = result.json<PredictJson>();
  t.is(body.catalog, 'daemon');
  t.is(body.refs[1]!.path, path.join(root, 'loras', 'style.safetensors'));
  t.is(body.unresolved.length, 1);
});

test('predict without daemon or library still lists the references, and says nothing was looked up', async (t) => {
  const home = await tempDir(t);
  const file = writeFile(
    path.join(home, 'api.json'),
    JSON.stringify({ prompt: { '3': { class_type: 'UNETLoader', inputs: { unet_name: 'flux.sft', weight_dtype: 'default' } } } }),
  );
  const result = await arenactl(['predict', file, '--socket', path.join(home, 'none.sock')], home);
  t.is(result.code, 0);
  t.regex(result.stdout, /API workflow, 1 model reference\n/);
  t.regex(result.stdout, /diffusion_models\s+flux\.sft\s+3 UNETLoader\s+-/);
  t.regex(result.stderr, /arenad is not running, no --library was given and no library is configured .*, so nothing was looked up/);
});

test('predict without a daemon looks in the library the configuration names, and exits 0 when every model is there', async (t) => {
  const home = await tempDir(t);
  const root = await library(t);
  const vae = writeFile(path.join(home, 'ComfyUI', 'models', 'vae', 'nowhere.safetensors'), 'v');
  const file = writeFile(path.join(home, 'wf.json'), JSON.stringify(WORKFLOW));
  const result = await arenactl(['predict', file, '--json', '--socket', path.join(home, 'none.sock')], home, { ARENA_LIBRARY_ROOTS: root });
  t.is(result.code, 0, result.stderr);
  const body = result.json<PredictJson>();
  t.is(body.catalog, 'config');
  t.deepEqual(
    body.refs.map((ref) => ref.path),
    [path.join(root, 'checkpoints', 'SDXL', 'juggernaut.safetensors'), path.join(root, 'loras', 'style.safetensors'), vae],
  );
  t.deepEqual(body.unresolved, []);
});

test('predict: a name found in several categories is not a missing model (exit 0)', async (t) => {
  const home = await tempDir(t);
  const root = await library(t);
  writeFile(path.join(root, 'vae', 'style.safetensors'), 'v');
  const custom = { nodes: [{ id: 9, type: 'SomeCustomLoader', mode: 0, widgets_values: ['style.safetensors'] }], links: [], version: 0.4 };
  const file = writeFile(path.join(home, 'custom.json'), JSON.stringify(custom));
  const result = await arenactl(['predict', file, '--library', root, '--json'], home);
  t.is(result.code, 0, result.stdout);
  t.deepEqual(
    result.json<PredictJson>().unresolved.map((ref) => ref.reason),
    ['ambiguous-category'],
  );
});

const notWorkflows: Array<[string, () => Buffer | string, RegExp]> = [
  ['a 0-byte file', () => '', /is not a workflow: empty file$/],
  ['truncated JSON', () => JSON.stringify(WORKFLOW).slice(0, 40), /is not a workflow: truncated JSON at byte \d+$/],
  ['a PNG without metadata', () => pngWith(), /is not a workflow: .*no workflow or prompt/i],
  ['a 50 MB JSON array', () => `[${'1,'.repeat(25 * 1024 * 1024)}1]`, /is not a workflow: .*array/],
  ['JSON nested 10,000 deep', () => `${'['.repeat(10_000)}${']'.repeat(10_000)}`, /is not a workflow: /],
];

for (const [what, content, reason] of notWorkflows) {
  test(`predict on ${what}: a one-line reason and exit 1, never a stack trace`, async (t) => {
    const home = await tempDir(t);
    const file = path.join(home, 'input.bin');
    fs.writeFileSync(file, content());
    const result = await arenactl(['predict', file, '--socket', path.join(home, 'none.sock')], home);
    t.is(result.code, 1);
    t.is(result.stdout, '');
    const lines = result.stderr.trimEnd().split('\n');
    t.is(lines.length, 1, result.stderr);
    t.true(lines[0]!.startsWith(`arenactl: ${file} `), lines[0]);
    t.regex(lines[0]!, reason);
    t.notRegex(result.stderr, /\n\s+at /);
    const json = await arenactl(['predict', file, '--json', '--socket', path.join(home, 'none.sock')], home);
    t.is(json.json<{ error: { code: string } }>().error.code, 'E_WORKFLOW');
  });
}

test('predict on a missing file says so', async (t) => {
  const home = await tempDir(t);
  const result = await arenactl(['predict', path.join(home, 'nope.json')], home);
  t.is(result.code, 1);
  t.is(result.stderr, `arenactl: no such file: ${path.join(home, 'nope.json')}\n`);
});
