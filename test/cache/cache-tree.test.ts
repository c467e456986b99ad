import test from 'ava';
import { mkdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CacheTree } from '../../src/cache/cache-tree.js';
import { PathError } from '../../src/cache/errors.js';
import { tempDir } from '../helpers/cache-fixtures.js';

const tree = new CacheTree('/srv/cache');

test('pathOf maps category/name to <root>/<canonical category>/<name>', (t) => {
  t.is(tree.pathOf('checkpoints', 'v15/x.safetensors'), '/srv/cache/checkpoints/v15/x.safetensors');
  t.is(tree.pathOf('clip', 't5.safetensors'), '/srv/cache/text_encoders/t5.safetensors');
  t.is(tree.pathOf('loras', 'SD 1.5\\style.safetensors'), '/srv/cache/loras/SD 1.5/style.safetensors');
  t.is(tree.pathOf('loras', 'a//./b.safetensors'), '/srv/cache/loras/a/b.safetensors');
  t.is(tree.stagingDir, '/srv/cache/.arena/staging');
  t.is(tree.stateDir, '/srv/cache/.arena');
});

const refused: Array<[string, string, RegExp]> = [
  ['checkpoints', '../../etc/passwd', /\.\./],
  ['checkpoints', 'sub/../../x.safetensors', /\.\./],
  ['checkpoints', '..\\..\\etc\\passwd', /\.\./],
  ['checkpoints', 'sub\\..\\..\\x.safetensors', /\.\./],
  ['checkpoints', '/etc/passwd', /absolute/],
  ['checkpoints', '\\etc\\passwd', /absolute/],
  ['checkpoints', 'C:\\models\\x.safetensors', /absolute/],
  ['checkpoints', '', /empty/],
  ['checkpoints', './.', /empty/],
  ['checkpoints', 'x\0.safetensors', /NUL/],
  ['..', 'x.safetensors', /reserved/],
  ['.arena', 'staging/x.part', /reserved/],
  ['a/b', 'x.safetensors', /one folder name/],
  ['a\\b', 'x.safetensors', /one folder name/],
  ['', 'x.safetensors', /one folder name/],
];

for (const [category, name, reason] of refused) {
  test(`pathOf refuses ${JSON.stringify(`${category}/${name}`)} with E_PATH`, (t) => {
    const error = t.throws(() => tree.pathOf(category, name), { instanceOf: PathError });
    t.is(error?.code, 'E_PATH');
    t.is(error?.name, 'PathError');
    t.regex(error?.message ?? '', reason);
  });
}

test('confinedPathOf refuses a category folder that is a symlink leading outside the root', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'cache');
  const outside = join(dir, 'outside');
  await mkdir(root);
  await mkdir(outside);
  await symlink(outside, join(root, 'checkpoints'));
  const cache = new CacheTree(root);
  const error = await t.throwsAsync(cache.confinedPathOf('checkpoints', 'x.safetensors'), { instanceOf: PathError });
  t.is(error?.code, 'E_PATH');
  t.regex(error?.message ?? '', /symlink/);
});

test('confinedPathOf refuses a subfolder or a file symlinked outside, and accepts links that stay inside', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'cache');
  const outside = join(dir, 'outside');
  await mkdir(join(root, 'loras', 'real'), { recursive: true });
  await mkdir(outside);
  await writeFile(join(outside, 'secret.safetensors'), 'x');
  await symlink(outside, join(root, 'loras', 'away'));
  await symlink(join(outside, 'secret.safetensors'), join(root, 'loras', 'file.safetensors'));
  await symlink(join(root, 'loras', 'real'), join(root, 'loras', 'inside'));
  const cache = new CacheTree(root);
  await t.throwsAsync(cache.confinedPathOf('loras', 'away/new/x.safetensors'), { instanceOf: PathError });
  await t.throwsAsync(cache.confinedPathOf('loras', 'file.safetensors'), { instanceOf: PathError });
  t.is(await cache.confinedPathOf('loras', 'inside/x.safetensors'), join(root, 'loras', 'inside', 'x.safetensors'));
  t.is(await cache.confinedPathOf('vae', 'new/x.safetensors'), join(root, 'vae', 'new', 'x.safetensors'));
});

test('confinedPathOf accepts a cache root that is itself a symlink', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'ssd', 'checkpoints'), { recursive: true });
  await symlink(join(dir, 'ssd'), join(dir, 'cache'));
  const cache = new CacheTree(join(dir, 'cache'));
  t.is(await cache.confinedPathOf('checkpoints', 'x.safetensors'), join(dir, 'cache', 'checkpoints', 'x.safetensors'));
});

test('ensure creates the root, .arena and staging; listFiles lists category files only', async (t) => {
  const dir = await tempDir(t);
  const cache = new CacheTree(join(dir, 'cache'));
  await cache.ensure();
  t.true((await stat(cache.stagingDir)).isDirectory());
  await writeFile(join(cache.stagingDir, 'abc.x.safetensors.part'), 'partial');
  await mkdir(join(cache.root, 'checkpoints', 'sdxl'), { recursive: true });
  await mkdir(join(cache.root, '.Trash-1000'), { recursive: true });
  await writeFile(join(cache.root, 'checkpoints', 'sdxl', 'a.safetensors'), '12345');
  await writeFile(join(cache.root, 'checkpoints', 'b.safetensors'), '1');
  await writeFile(join(cache.root, '.Trash-1000', 'old.safetensors'), '1');
  await writeFile(join(cache.root, 'stray.txt'), '1');
  await symlink(join(cache.root, 'checkpoints', 'b.safetensors'), join(cache.root, 'checkpoints', 'link.safetensors'));
  const files = (await cache.listFiles()).sort((a, b) => a.name.localeCompare(b.name));
  t.deepEqual(
    files.map(({ category, name, path, size }) => ({ category, name, path, size })),
    [
      { category: 'checkpoints', name: 'b.safetensors', path: join(cache.root, 'checkpoints', 'b.safetensors'), size: 1 },
      {
        category: 'checkpoints',
        name: 'sdxl/a.safetensors',
        path: join(cache.root, 'checkpoints', 'sdxl', 'a.safetensors'),
        size: 5,
      },
    ],
  );
  t.true(files.every((file) => file.mtimeMs > 0));
});

test('listFiles of a root that does not exist yet is empty', async (t) => {
  const dir = await tempDir(t);
  t.deepEqual(await new CacheTree(join(dir, 'missing')).listFiles(), []);
});
