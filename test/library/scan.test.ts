import test from 'ava';
import { mkdir, rename, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { scanFolder, statModel, type FolderScan } from '../../src/library/scan.js';
import { folder, tempDir, writeModel } from '../helpers/library-files.js';

function names(scan: FolderScan): string[] {
  return scan.state === 'ok' ? scan.models.map((model) => model.name).sort() : [];
}

test('a scan lists model files recursively, with sizes, and skips other files, dot-folders and partial downloads', async (t) => {
  const dir = await tempDir(t);
  await writeModel(path.join(dir, 'a.safetensors'), 1234);
  await writeModel(path.join(dir, 'SD 1.5', 'b.CKPT'), 10);
  await writeModel(path.join(dir, 'deep', 'er', 'c.gguf'), 20);
  await writeModel(path.join(dir, '.arena', 'staging', 'd.safetensors'), 30);
  await writeModel(path.join(dir, 'sub', '.hidden', 'e.safetensors'), 30);
  await writeModel(path.join(dir, 'f.safetensors.part'), 30);
  await writeModel(path.join(dir, 'g.safetensors.crdownload'), 30);
  await writeFile(path.join(dir, 'readme.txt'), 'x');
  await writeFile(path.join(dir, 'model.yaml'), 'x');
  const scan = await scanFolder(folder('loras', dir));
  t.deepEqual(names(scan), ['SD 1.5/b.CKPT', 'a.safetensors', 'deep/er/c.gguf']);
  const a = scan.state === 'ok' ? scan.models.find((model) => model.name === 'a.safetensors') : undefined;
  t.like(a, { category: 'loras', folder: dir, path: path.join(dir, 'a.safetensors'), size: 1234 });
  t.true(typeof a?.mtimeMs === 'number' && a.mtimeMs > 0);
});

test('the configs category holds YAML files, not weights', async (t) => {
  const dir = await tempDir(t);
  await writeFile(path.join(dir, 'v1-inference.yaml'), 'x');
  await writeModel(path.join(dir, 'x.safetensors'), 1);
  t.deepEqual(names(await scanFolder(folder('configs', dir))), ['v1-inference.yaml']);
});

test('symlinks to files and folders inside the library root are followed, dangling links skipped, and a link cycle ends', async (t) => {
  const base = await tempDir(t);
  const dir = path.join(base, 'loras');
  await writeModel(path.join(base, 'elsewhere', 'linked.safetensors'), 5);
  await writeModel(path.join(base, 'shared', 'styles', 's.safetensors'), 6);
  await writeModel(path.join(dir, 'own.safetensors'), 7);
  await symlink(path.join(base, 'elsewhere', 'linked.safetensors'), path.join(dir, 'link.safetensors'));
  await symlink(path.join(base, 'shared', 'styles'), path.join(dir, 'styles'));
  await symlink(path.join(base, 'nowhere.safetensors'), path.join(dir, 'dangling.safetensors'));
  await symlink(dir, path.join(dir, 'styles-loop'));
  const scan = await scanFolder(folder('loras', dir, 'library.roots', base));
  t.deepEqual(names(scan), ['link.safetensors', 'own.safetensors', 'styles/s.safetensors']);
  const link = scan.state === 'ok' ? scan.models.find((model) => model.name === 'link.safetensors') : undefined;
  t.is(link?.size, 5, "the size is the target file's");
});

test('a missing folder is reported as missing, not thrown, and a file is not a folder', async (t) => {
  const base = await tempDir(t);
  const missing = await scanFolder(folder('loras', path.join(base, 'gone')));
  t.like(missing, { state: 'missing', reason: 'ENOENT' });
  await writeFile(path.join(base, 'plain'), 'x');
  t.like(await scanFolder(folder('loras', path.join(base, 'plain'))), { state: 'missing', reason: 'not a directory' });
});

test('an empty folder is present with no models, and a subfolder scan keeps names relative to the folder', async (t) => {
  const dir = await tempDir(t);
  t.deepEqual(await scanFolder(folder('loras', dir)), { state: 'ok', models: [] });
  await writeModel(path.join(dir, 'a', 'b', 'x.safetensors'), 1);
  await writeModel(path.join(dir, 'c', 'y.safetensors'), 1);
  t.deepEqual(names(await scanFolder(folder('loras', dir), { subdir: 'a' })), ['a/b/x.safetensors']);
  t.deepEqual(names(await scanFolder(folder('loras', dir), { subdir: 'no/such' })), []);
  await mkdir(path.join(dir, 'later'));
  await rename(path.join(dir, 'c'), path.join(dir, 'later', 'c'));
  t.deepEqual(names(await scanFolder(folder('loras', dir), { subdir: 'later' })), ['later/c/y.safetensors']);
});

test('statModel reads one file, and refuses non-models, dot-folders and missing files', async (t) => {
  const dir = await tempDir(t);
  await writeModel(path.join(dir, 'x.safetensors'), 42);
  await writeModel(path.join(dir, '.arena', 'y.safetensors'), 1);
  await writeFile(path.join(dir, 'notes.txt'), 'x');
  const loras = folder('loras', dir);
  t.like(await statModel(loras, 'x.safetensors'), { name: 'x.safetensors', size: 42 });
  t.is(await statModel(loras, '.arena/y.safetensors'), undefined);
  t.is(await statModel(loras, 'notes.txt'), undefined);
  t.is(await statModel(loras, 'gone.safetensors'), undefined);
});

test('a link that leads out of its folder and root is never listed, whether to a file or a folder, at a scan or an event', async (t) => {
  const base = await tempDir(t);
  const outside = await tempDir(t);
  const root = path.join(base, 'nas');
  const dir = path.join(root, 'checkpoints');
  await writeModel(path.join(dir, 'real.safetensors'), 3);
  await writeModel(path.join(outside, 'secret.safetensors'), 4);
  await writeModel(path.join(outside, 'private', 'x.safetensors'), 4);
  await symlink(path.join(outside, 'secret.safetensors'), path.join(dir, 's.safetensors'));
  await symlink('/etc/shadow', path.join(dir, 'shadow.safetensors'));
  await symlink(path.join(outside, 'private'), path.join(dir, 'private'));
  const checkpoints = folder('checkpoints', dir, 'library.roots', root);
  t.deepEqual(names(await scanFolder(checkpoints)), ['real.safetensors']);
  t.is(await statModel(checkpoints, 's.safetensors'), undefined);
  t.is(await statModel(checkpoints, 'private/x.safetensors'), undefined);
  t.deepEqual(names(await scanFolder(checkpoints, { subdir: 'private' })), []);
  t.like(await statModel(checkpoints, 'real.safetensors'), { size: 3 });
});

test('a category folder that is itself a link to the NAS is trusted: its files are listed', async (t) => {
  const base = await tempDir(t);
  const nas = await tempDir(t);
  await writeModel(path.join(nas, 'checkpoints', 'a.safetensors'), 2);
  await mkdir(path.join(base, 'models'));
  await symlink(path.join(nas, 'checkpoints'), path.join(base, 'models', 'checkpoints'));
  const linked = folder('checkpoints', path.join(base, 'models', 'checkpoints'), 'models', path.join(base, 'models'));
  t.deepEqual(names(await scanFolder(linked)), ['a.safetensors']);
});
