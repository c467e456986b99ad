import fs from 'node:fs';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { parse } from 'yaml';
import { collectModelFolders } from '../../src/library/model-folders.js';
import { arenactl } from '../helpers/cli-run.js';
import { legacyComfy, writeText } from '../helpers/legacy-comfy.js';
import { writeModel } from '../helpers/model-files.js';
import { tempDir } from '../helpers/temp-dir.js';

const USER_FILE = `# my model folders
nas:
    base_path: /nas/models
    checkpoints: checkpoints
    # the old names still work
    clip: clip

# the second machine
backup:
    base_path: /backup
    loras: loras
`;

interface Setup {
  readonly home: string;
  readonly comfy: string;
  readonly file: string;
  readonly cacheRoot: string;
  readonly env: NodeJS.ProcessEnv;
}

async function setup(t: ExecutionContext, text?: string): Promise<Setup> {
  const home = await tempDir(t);
  const { comfy } = legacyComfy(home);
  const file = path.join(comfy, 'extra_model_paths.yaml');
  if (text !== undefined) writeText(file, text);
  const cacheRoot = path.join(home, 'ssd');
  // An empty config of its own and a socket nobody answers on: nothing of the machine leaks in.
  const env = {
    ARENA_CONFIG: writeText(path.join(home, 'arena.yaml'), ''),
    ARENA_SOCKET: path.join(home, 'run', 'arenad.sock'),
    ARENA_COMFY_ROOT: comfy,
    ARENA_CACHE_ROOT: cacheRoot,
  };
  return { home, comfy, file, cacheRoot, env };
}

function backups(file: string): string[] {
  return fs
    .readdirSync(path.dirname(file))
    .filter((name) => name.startsWith(`${path.basename(file)}.bak-`))
    .sort();
}

test('comfy link adds the section after a timestamped backup; a second run changes nothing and backs up nothing', async (t) => {
  const s = await setup(t, USER_FILE);
  const result = await arenactl(['comfy', 'link'], s.home, s.env);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /added the section arena_cache in .*extra_model_paths\.yaml/);
  t.regex(result.stdout, /Restart ComfyUI/);
  const [backup, ...more] = backups(s.file);
  t.deepEqual(more, []);
  t.regex(backup!, /\.bak-\d{8}T\d{6}Z$/);
  t.is(fs.readFileSync(path.join(s.comfy, backup!), 'utf8'), USER_FILE);

  const linked = fs.readFileSync(s.file, 'utf8');
  const document = parse(linked) as Record<string, Record<string, unknown>>;
  t.deepEqual(Object.keys(document), ['nas', 'backup', 'arena_cache']);
  t.like(document.arena_cache, { base_path: s.cacheRoot, is_default: true, checkpoints: 'checkpoints', text_encoders: 'text_encoders' });
  for (const comment of ['# my model folders', '# the old names still work', '# the second machine']) t.true(linked.includes(comment));

  const again = await arenactl(['comfy', 'link', '--json'], s.home, s.env);
  t.is(again.code, 0, again.stderr);
  t.like(again.json(), { action: 'unchanged', changed: false, backup: null, restartComfy: false });
  t.is(fs.readFileSync(s.file, 'utf8'), linked);
  t.is(backups(s.file).length, 1);
});

test('the library still reads the NAS sections and leaves the linked cache out', async (t) => {
  const s = await setup(t, USER_FILE);
  t.is((await arenactl(['comfy', 'link'], s.home, s.env)).code, 0);
  const { folders } = await collectModelFolders({ comfyRoot: s.comfy, libraryRoots: [], exclude: [s.cacheRoot], env: {}, homeDir: s.home });
  t.false(folders.some((folder) => folder.dir.startsWith(s.cacheRoot)));
  t.true(folders.some((folder) => folder.dir === '/nas/models/clip' && folder.category === 'text_encoders'));
  const all = await collectModelFolders({ comfyRoot: s.comfy, libraryRoots: [], exclude: [], env: {}, homeDir: s.home });
  // Without the exclusion the cache would come first, as ComfyUI will see it.
  t.is(all.folders.find((folder) => folder.category === 'checkpoints')?.dir, path.join(s.cacheRoot, 'checkpoints'));
});

test('a pre-existing arena_cache section pointing elsewhere is updated in place, with a backup', async (t) => {
  const text = `${USER_FILE}\narena_cache:\n    base_path: /old/ssd\n    checkpoints: checkpoints\n`;
  const s = await setup(t, text);
  const result = await arenactl(['comfy', 'link', '--json'], s.home, s.env);
  t.is(result.code, 0, result.stderr);
  t.like(result.json(), { action: 'updated', changed: true, restartComfy: true, cacheRoot: s.cacheRoot });
  const document = parse(fs.readFileSync(s.file, 'utf8')) as Record<string, Record<string, unknown>>;
  t.is(document.arena_cache!.base_path, s.cacheRoot);
  t.deepEqual(Object.keys(document), ['nas', 'backup', 'arena_cache']);
  t.is(fs.readFileSync(path.join(s.comfy, backups(s.file)[0]!), 'utf8'), text);
});

test('custom categories of the library get a cache folder in the section too', async (t) => {
  const s = await setup(t, USER_FILE);
  writeModel(path.join(s.comfy, 'models', 'ipadapter', 'face.bin'), 1024);
  t.is((await arenactl(['comfy', 'link'], s.home, s.env)).code, 0);
  const document = parse(fs.readFileSync(s.file, 'utf8')) as Record<string, Record<string, unknown>>;
  t.is(document.arena_cache!.ipadapter, 'ipadapter');
  t.is(document.arena_cache!.custom_nodes, undefined);
});

test('comfy unlink removes exactly what link added, after a backup; again, it changes nothing', async (t) => {
  const s = await setup(t, USER_FILE);
  t.is((await arenactl(['comfy', 'link'], s.home, s.env)).code, 0);
  const unlink = await arenactl(['comfy', 'unlink'], s.home, s.env);
  t.is(unlink.code, 0, unlink.stderr);
  t.regex(unlink.stdout, /removed the arena_cache section/);
  t.regex(unlink.stdout, /Restart ComfyUI/);
  const text = fs.readFileSync(s.file, 'utf8');
  t.deepEqual(parse(text), parse(USER_FILE));
  for (const comment of ['# my model folders', '# the old names still work', '# the second machine']) t.true(text.includes(comment));
  t.is(backups(s.file).length, 2);

  const again = await arenactl(['comfy', 'unlink', '--json'], s.home, s.env);
  t.like(again.json(), { action: 'absent', changed: false, backup: null });
  t.is(backups(s.file).length, 2);
});

test('link creates a missing file, and unlink removes it again, since ComfyUI fails on an empty one', async (t) => {
  const s = await setup(t);
  const link = await arenactl(['comfy', 'link', '--json'], s.home, s.env);
  t.like(link.json(), { action: 'created', backup: null });
  t.deepEqual(Object.keys(parse(fs.readFileSync(s.file, 'utf8')) as object), ['arena_cache']);
  const unlink = await arenactl(['comfy', 'unlink', '--json'], s.home, s.env);
  t.like(unlink.json(), { action: 'removed', fileRemoved: true });
  t.false(fs.existsSync(s.file));
  t.is(backups(s.file).length, 1);
});

test('--comfy-root picks another ComfyUI; a missing one, or a broken file, fails with what to do', async (t) => {
  const s = await setup(t);
  const other = path.join(s.home, 'OtherComfy');
  fs.mkdirSync(other);
  t.is((await arenactl(['comfy', 'link', '--comfy-root', other], s.home, s.env)).code, 0);
  t.true(fs.existsSync(path.join(other, 'extra_model_paths.yaml')));

  const missing = await arenactl(['comfy', 'link', '--comfy-root', path.join(s.home, 'nope'), '--json'], s.home, s.env);
  t.is(missing.code, 1);
  t.like(missing.json(), { error: { code: 'E_COMFY_ROOT' } });

  writeText(s.file, 'nas: [1, 2\n');
  const broken = await arenactl(['comfy', 'link'], s.home, s.env);
  t.is(broken.code, 1);
  t.regex(broken.stderr, /is not valid YAML/);
  t.is(fs.readFileSync(s.file, 'utf8'), 'nas: [1, 2\n');
  t.deepEqual(backups(s.file), []);
});
