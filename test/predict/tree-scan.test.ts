import test from 'ava';
import { mkdir, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { scanTree } from '../../src/predict/tree-scan.js';
import { tempDir } from '../helpers/temp-dir.js';

async function write(file: string, text = 'x'): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
}

async function age(target: string, ms: number): Promise<void> {
  const when = new Date(Date.now() - ms);
  await utimes(target, when, when);
}

const names = (root: string, files: { path: string }[]) => files.map((file) => path.relative(root, file.path)).sort();

test('every accepted file below the folder is listed with its size, without following symlinked folders', async (t) => {
  const root = await tempDir(t);
  await write(path.join(root, 'a.png'), 'abc');
  await write(path.join(root, 'deep', 'er', 'b.png'));
  await write(path.join(root, 'deep', 'c.txt'));
  await symlink(path.join(root, 'deep'), path.join(root, 'loop'));
  const files = await scanTree(root, (file) => file.endsWith('.png'));
  t.deepEqual(names(root, files), ['a.png', path.join('deep', 'er', 'b.png')]);
  t.is(files.find((file) => file.path.endsWith('a.png'))?.size, 3);
  t.deepEqual(await scanTree(path.join(root, 'missing'), () => true), []);
});

test('with addedSince, the files of folders that gained no entry since are skipped, but their subfolders are still searched', async (t) => {
  const root = await tempDir(t);
  const hour = 3_600_000;
  await write(path.join(root, '2024-01-01', 'old.png'));
  await write(path.join(root, '2024-01-01', 'today', 'new.png'));
  await age(path.join(root, '2024-01-01', 'old.png'), 24 * hour);
  await age(path.join(root, '2024-01-01'), 24 * hour);
  await write(path.join(root, 'top.png'));
  const files = await scanTree(root, (file) => file.endsWith('.png'), { addedSince: Date.now() - hour });
  t.deepEqual(names(root, files), [path.join('2024-01-01', 'today', 'new.png'), 'top.png']);
});
