import test, { type ExecutionContext } from 'ava';
import { mkdir, open, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CacheTree } from '../../src/cache/cache-tree.js';
import { PathError } from '../../src/cache/errors.js';
import type { LedgerEntry } from '../../src/cache/ledger-entry.js';
import { Ledger } from '../../src/cache/ledger.js';
import { detectRemovedFiles, removeCachedCopy } from '../../src/cache/removal.js';
import { allFiles, listDir, spyLogger, tempDir } from '../helpers/cache-fixtures.js';

async function setUp(t: ExecutionContext) {
  const dir = await tempDir(t);
  const tree = new CacheTree(join(dir, 'cache'));
  await tree.ensure();
  const ledger = await Ledger.load(join(dir, 'ledger.json'), spyLogger());
  const cache = async (key: string, data: Buffer): Promise<string> => {
    const path = join(tree.root, key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, data);
    const slash = key.indexOf('/');
    const entry: LedgerEntry = {
      category: key.slice(0, slash),
      name: key.slice(slash + 1),
      size: data.length,
      sourcePath: `/nas/${key}`,
      sourceSize: data.length,
      sourceMtimeMs: 1,
      cachedAt: 2,
      hits: 0,
      pinned: false,
    };
    ledger.set(entry);
    return path;
  };
  return { dir, tree, ledger, cache };
}

test('removeCachedCopy unlinks the file, drops the entry and prunes empty folders inside the category', async (t) => {
  const { tree, ledger, cache } = await setUp(t);
  await cache('checkpoints/sdxl/v1/a.safetensors', Buffer.alloc(300, 1));
  await cache('checkpoints/sdxl/b.safetensors', Buffer.alloc(10, 1));
  const removed = await removeCachedCopy(tree, ledger, 'checkpoints/sdxl/v1/a.safetensors', 'evicted: least valuable');
  t.deepEqual(removed, {
    key: 'checkpoints/sdxl/v1/a.safetensors',
    category: 'checkpoints',
    name: 'sdxl/v1/a.safetensors',
    path: join(tree.root, 'checkpoints', 'sdxl', 'v1', 'a.safetensors'),
    bytes: 300,
    reason: 'evicted: least valuable',
  });
  t.false(ledger.has('checkpoints/sdxl/v1/a.safetensors'));
  t.deepEqual(await listDir(join(tree.root, 'checkpoints', 'sdxl')), ['b.safetensors'], 'v1 pruned, sdxl kept');

  await removeCachedCopy(tree, ledger, 'checkpoints/sdxl/b.safetensors', 'evicted');
  t.deepEqual(await listDir(join(tree.root, 'checkpoints')), [], 'sdxl pruned');
  t.true((await stat(join(tree.root, 'checkpoints'))).isDirectory(), 'the category folder itself stays');
});

test('a file that is open stays readable after its removal', async (t) => {
  const { tree, ledger, cache } = await setUp(t);
  const path = await cache('loras/x.safetensors', Buffer.from('weights'));
  const reader = await open(path, 'r');
  t.teardown(() => reader.close());
  await removeCachedCopy(tree, ledger, 'loras/x.safetensors', 'invalidated');
  const buffer = Buffer.alloc(7);
  await reader.read(buffer, 0, 7, 0);
  t.is(buffer.toString(), 'weights');
  t.deepEqual(await allFiles(tree.root), []);
});

test('removing a key with no file drops its entry and reports 0 bytes', async (t) => {
  const { tree, ledger, cache } = await setUp(t);
  const path = await cache('vae/v.safetensors', Buffer.alloc(5));
  await unlink(path);
  const removed = await removeCachedCopy(tree, ledger, 'vae/v.safetensors', 'gone');
  t.is(removed.bytes, 0);
  t.is(ledger.size, 0);
});

test('removeCachedCopy never follows a symlinked category out of the root', async (t) => {
  const { dir, tree, ledger } = await setUp(t);
  const outside = join(dir, 'library', 'loras');
  await mkdir(outside, { recursive: true });
  await writeFile(join(outside, 'keep.safetensors'), 'precious');
  await symlink(outside, join(tree.root, 'loras'));
  await t.throwsAsync(removeCachedCopy(tree, ledger, 'loras/keep.safetensors', 'evicted'), { instanceOf: PathError });
  t.deepEqual(await listDir(outside), ['keep.safetensors']);
  await t.throwsAsync(removeCachedCopy(tree, ledger, '../../etc/passwd', 'evil'), { instanceOf: PathError });
});

test('detectRemovedFiles notices files deleted or changed by hand, and leaves the rest alone', async (t) => {
  const { tree, ledger, cache } = await setUp(t);
  const deleted = await cache('checkpoints/deleted.safetensors', Buffer.alloc(10));
  const changed = await cache('loras/sub/changed.safetensors', Buffer.alloc(10));
  await cache('vae/fine.safetensors', Buffer.alloc(10));
  await unlink(deleted);
  await writeFile(changed, Buffer.alloc(20));
  const changes = await detectRemovedFiles(tree, ledger);
  t.deepEqual(changes, [
    { key: 'checkpoints/deleted.safetensors', reason: 'the cached file was deleted outside the daemon' },
    {
      key: 'loras/sub/changed.safetensors',
      reason: 'the cached file was changed outside the daemon (20 bytes, the ledger says 10)',
    },
  ]);
  t.deepEqual(
    ledger.entries().map((entry) => `${entry.category}/${entry.name}`),
    ['vae/fine.safetensors'],
  );
  t.deepEqual(await allFiles(tree.root), ['vae/fine.safetensors']);
  t.deepEqual(await detectRemovedFiles(tree, ledger), [], 'a second pass finds nothing new');
});
