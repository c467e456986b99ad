import test from 'ava';
import { parse } from 'yaml';
import { CACHE_SECTION, linkSection, unlinkSection } from '../../src/comfy/cache-section.js';
import { ModelPathsFileError } from '../../src/comfy/errors.js';
import { parseExtraModelPaths } from '../../src/library/extra-model-paths.js';

const FILE = '/comfy/extra_model_paths.yaml';
const SECTION = { basePath: '/ssd/arena', categories: ['checkpoints', 'loras', 'text_encoders'] };

/** ComfyUI's example file: comments everywhere, 4-space and 5-space indentation, block scalars. */
const USER_FILE = `#Rename this to extra_model_paths.yaml and ComfyUI will load it

#config for a1111 ui
a111:
    base_path: /nas/webui/

    checkpoints: models/Stable-diffusion
    vae: models/VAE
    loras: |
         models/Lora
         models/LyCORIS

#config for comfyui
comfyui:
     base_path: /nas/comfy/
     # is_default marks folders to list first
     #is_default: true
     checkpoints: models/checkpoints/
     clip: models/clip/

#other_ui:
#    base_path: path/to/ui
`;

function commentLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('#'));
}

function parseAsComfy(text: string) {
  return parseExtraModelPaths(text, FILE, { env: {}, homeDir: '/home/u' });
}

test('link appends the section and keeps every other section, its order and every comment', (t) => {
  const edit = linkSection(USER_FILE, FILE, SECTION);
  t.is(edit.action, 'added');
  const before = parse(USER_FILE) as Record<string, unknown>;
  const after = parse(edit.text) as Record<string, unknown>;
  t.deepEqual(Object.keys(after), [...Object.keys(before), CACHE_SECTION]);
  for (const key of Object.keys(before)) t.deepEqual(after[key], before[key]);
  t.deepEqual(after[CACHE_SECTION], {
    base_path: '/ssd/arena',
    is_default: true,
    checkpoints: 'checkpoints',
    loras: 'loras',
    text_encoders: 'text_encoders',
  });
  for (const comment of commentLines(USER_FILE)) t.true(edit.text.includes(comment), comment);
  // The user's indentation stays: the file is not re-indented to two spaces.
  t.regex(edit.text, /\n {4}base_path: \/nas\/webui\//);
});

test('ComfyUI reads the linked section as cache folders looked up first', (t) => {
  const { entries, problems } = parseAsComfy(linkSection(USER_FILE, FILE, SECTION).text);
  t.deepEqual(problems, []);
  const cache = entries.filter((entry) => entry.section === CACHE_SECTION);
  t.deepEqual(
    cache.map((entry) => [entry.category, entry.dir, entry.isDefault]),
    SECTION.categories.map((category) => [category, `/ssd/arena/${category}`, true]),
  );
  t.true(entries.some((entry) => entry.section === 'comfyui' && entry.category === 'text_encoders' && entry.dir === '/nas/comfy/models/clip'));
});

test('linking again changes nothing; a new cache root or category list updates the section in place', (t) => {
  const first = linkSection(USER_FILE, FILE, SECTION).text;
  const again = linkSection(first, FILE, SECTION);
  t.is(again.action, 'unchanged');
  t.is(again.text, first);

  const moved = linkSection(first, FILE, { basePath: '/fast/cache', categories: ['checkpoints', 'vae'] });
  t.is(moved.action, 'updated');
  const section = (parse(moved.text) as Record<string, Record<string, unknown>>)[CACHE_SECTION];
  t.deepEqual(section, { base_path: '/fast/cache', is_default: true, checkpoints: 'checkpoints', vae: 'vae' });
  t.is(linkSection(moved.text, FILE, { basePath: '/fast/cache', categories: ['checkpoints', 'vae'] }).action, 'unchanged');
});

test('a pre-existing arena_cache section is brought up to date where it stands, keeping its comments', (t) => {
  const text = [
    'arena_cache:',
    '  # my SSD',
    '  base_path: /old/ssd',
    '  checkpoints: checkpoints  # the big ones',
    '  custom_nodes: custom',
    'nas:',
    '  base_path: /nas',
    '  loras: loras',
    '',
  ].join('\n');
  const edit = linkSection(text, FILE, SECTION);
  t.is(edit.action, 'updated');
  const after = parse(edit.text) as Record<string, Record<string, unknown>>;
  t.deepEqual(Object.keys(after), [CACHE_SECTION, 'nas']);
  t.deepEqual(after[CACHE_SECTION], {
    base_path: '/ssd/arena',
    checkpoints: 'checkpoints',
    is_default: true,
    loras: 'loras',
    text_encoders: 'text_encoders',
  });
  t.deepEqual(after.nas, { base_path: '/nas', loras: 'loras' });
  t.true(edit.text.includes('# my SSD'));
  t.true(edit.text.includes('# the big ones'));
});

test('duplicate arena_cache sections, which PyYAML reads as the last one, become one', (t) => {
  const text = 'arena_cache:\n  base_path: /a\nnas:\n  loras: /nas/loras\narena_cache:\n  base_path: /b\n';
  const edit = linkSection(text, FILE, SECTION);
  t.is(edit.action, 'updated');
  t.is(edit.text.split('arena_cache:').length - 1, 1);
  t.deepEqual(Object.keys(parse(edit.text) as object), ['nas', CACHE_SECTION]);
});

test('no file, an empty file and a file of comments each get the section', (t) => {
  const created = linkSection(undefined, FILE, SECTION);
  t.is(created.action, 'created');
  t.deepEqual(Object.keys(parse(created.text) as object), [CACHE_SECTION]);
  t.is(linkSection('', FILE, SECTION).action, 'added');
  const commented = linkSection('# nothing here yet\n', FILE, SECTION);
  t.true(commented.text.startsWith('# nothing here yet\n'));
  t.deepEqual(Object.keys(parse(commented.text) as object), [CACHE_SECTION]);
});

test('unlink removes exactly what link added', (t) => {
  const linked = linkSection(USER_FILE, FILE, SECTION).text;
  const edit = unlinkSection(linked, FILE);
  t.is(edit.action, 'removed');
  t.deepEqual(parse(edit.text!), parse(USER_FILE));
  t.deepEqual(commentLines(edit.text!), commentLines(USER_FILE));
  t.false(edit.text!.includes('arenactl'));

  // A file already in the yaml package's layout comes back byte for byte.
  const canonical = 'nas:\n  base_path: /nas\n  loras: loras\n\n# tail comment\n';
  t.is(unlinkSection(linkSection(canonical, FILE, SECTION).text, FILE).text, canonical);
});

test('unlink keeps the heading comment of a file whose first section was ours', (t) => {
  const text = '# my heading\n\narena_cache:\n  base_path: /x\n  is_default: true\nnas:\n  loras: /nas/loras\n';
  const edit = unlinkSection(text, FILE);
  t.is(edit.action, 'removed');
  t.true(edit.text!.startsWith('# my heading'));
  t.deepEqual(parse(edit.text!), { nas: { loras: '/nas/loras' } });
});

test('unlink of a file that held only the section removes the file; one with comments keeps them in a valid mapping', (t) => {
  const created = linkSection(undefined, FILE, SECTION).text;
  t.deepEqual(unlinkSection(created, FILE), { action: 'removed', text: undefined });
  const commented = unlinkSection(linkSection('# keep me\n', FILE, SECTION).text, FILE);
  t.true(commented.text!.includes('# keep me'));
  // ComfyUI iterates over the parsed file, so it must stay a mapping, never None.
  t.deepEqual(parse(commented.text!), {});
  t.deepEqual(unlinkSection(USER_FILE, FILE), { action: 'absent', text: USER_FILE });
});

test('a file that is not YAML, or not a mapping, is refused with what to do', (t) => {
  const broken = t.throws(() => linkSection('a: [1, 2\nb: c\n', FILE, SECTION), { instanceOf: ModelPathsFileError });
  t.regex(broken.message, /extra_model_paths\.yaml is not valid YAML .*fix it by hand first/);
  t.is(broken.code, 'E_MODEL_PATHS');
  t.throws(() => unlinkSection('- a\n- b\n', FILE), { instanceOf: ModelPathsFileError, message: /must hold a mapping of sections/ });
});
