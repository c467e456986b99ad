import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { cacheRootMessage, inspectCacheRoot, prepareCacheRoot } from '../../src/config/cache-root.js';
import { tempDir } from '../helpers/temp-dir.js';

test('a folder, or one that can be created, is a usable cache root; nothing is created by inspecting it', async (t) => {
  const dir = await tempDir(t);
  t.is(await inspectCacheRoot(dir), undefined);
  const later = path.join(dir, 'not', 'yet');
  t.is(await inspectCacheRoot(later), undefined);
  t.false(fs.existsSync(path.join(dir, 'not')), 'inspecting creates nothing');
});

test('a file, a path under a file, and a staging entry that is a file are each named', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'ssd');
  fs.writeFileSync(file, 'x');
  t.is(await inspectCacheRoot(file), 'it is a file, not a folder');
  t.is(await inspectCacheRoot(path.join(file, 'cache', 'deeper')), `it cannot be created: ${file} is a file, not a folder`);
  const root = path.join(dir, 'root');
  fs.mkdirSync(root);
  fs.writeFileSync(path.join(root, '.arena'), '');
  t.is(await inspectCacheRoot(root), `${path.join(root, '.arena')}, where arenad keeps its staging and lock, is a file, not a folder`);
});

test('prepare creates the staging folder, and says why not in the same words, leaving a file as it was', async (t) => {
  const dir = await tempDir(t);
  const root = path.join(dir, 'cache');
  t.is(await prepareCacheRoot(root), undefined);
  t.true(fs.statSync(path.join(root, '.arena')).isDirectory());
  const file = path.join(dir, 'ssd');
  fs.writeFileSync(file, 'x');
  t.is(await prepareCacheRoot(file), 'it is a file, not a folder');
  t.is(await prepareCacheRoot(path.join(file, 'cache')), `it cannot be created: ${file} is a file, not a folder`);
  t.is(fs.readFileSync(file, 'utf8'), 'x');
});

test('the message names key, value, source and the fix', (t) => {
  t.is(
    cacheRootMessage('/srv/ssd', { kind: 'file', file: '/etc/arena/config.yaml', line: 3 }, 'it is a file, not a folder'),
    'cache.root = "/srv/ssd" (from /etc/arena/config.yaml:3): it is a file, not a folder; set cache.root (ARENA_CACHE_ROOT) to a folder on the SSD that the user running arenad may write',
  );
});
