import test, { type ExecutionContext } from 'ava';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CacheTree } from '../../src/cache/cache-tree.js';
import type { LedgerEntry } from '../../src/cache/ledger-entry.js';
import { Ledger } from '../../src/cache/ledger.js';
import { reconcileCache, type SourceFile } from '../../src/cache/recovery.js';
import { allFiles, describeSource, listDir, sha256Of, spyLogger, tempDir, writeRandomFile } from '../helpers/cache-fixtures.js';

async function setUp(t: ExecutionContext) {
  const dir = await tempDir(t);
  const tree = new CacheTree(join(dir, 'cache'));
  await tree.ensure();
  const ledger = await Ledger.load(join(dir, 'state', 'ledger.json'), spyLogger());
  const library = new Map<string, SourceFile>();
  /** A library file and, optionally, a cached file of the same key with the given bytes. */
  const addModel = async (key: string, bytes: number): Promise<Buffer> => {
    const path = join(dir, 'nas', key);
    const data = await writeRandomFile(path, bytes);
    library.set(key, await describeSource(path));
    return data;
  };
  const placeInCache = async (key: string, data: Buffer): Promise<string> => {
    const path = join(tree.root, key);
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, data);
    return path;
  };
  const reconcile = (verify: 'size' | 'sha256' = 'sha256') =>
    reconcileCache({
      tree,
      ledger,
      lookupSource: (category, name) => library.get(`${category}/${name}`),
      verify,
      logger: spyLogger(),
    });
  return { dir, tree, ledger, library, addModel, placeInCache, reconcile };
}

function entryFor(key: string, size: number, sha256?: string): LedgerEntry {
  const slash = key.indexOf('/');
  return {
    category: key.slice(0, slash),
    name: key.slice(slash + 1),
    size,
    ...(sha256 ? { sha256 } : {}),
    sourcePath: `/nas/${key}`,
    sourceSize: size,
    sourceMtimeMs: 1,
    cachedAt: 2,
    hits: 3,
    pinned: true,
  };
}

test('staging is emptied at start-up', async (t) => {
  const { tree, reconcile } = await setUp(t);
  await writeFile(join(tree.stagingDir, '0123456789abcdef.a.safetensors.part'), 'partial');
  await mkdir(join(tree.stagingDir, 'odd-folder'));
  const report = await reconcile();
  t.is(report.stagingRemoved, 2);
  t.deepEqual(await listDir(tree.stagingDir), []);
});

test('a file the ledger lacks is adopted when the library has the same bytes, with its sha256', async (t) => {
  const { ledger, library, addModel, placeInCache, reconcile, dir } = await setUp(t);
  const data = await addModel('checkpoints/sdxl/a.safetensors', 3 * 1024 * 1024);
  const cached = await placeInCache('checkpoints/sdxl/a.safetensors', data);
  const report = await reconcile();
  t.deepEqual(report.adopted, ['checkpoints/sdxl/a.safetensors']);
  t.deepEqual(report.removed, []);
  const source = library.get('checkpoints/sdxl/a.safetensors')!;
  t.deepEqual(ledger.get('checkpoints/sdxl/a.safetensors'), {
    category: 'checkpoints',
    name: 'sdxl/a.safetensors',
    size: data.length,
    sha256: sha256Of(data),
    sourcePath: source.path,
    sourceSize: source.size,
    sourceMtimeMs: source.mtimeMs,
    cachedAt: (await stat(cached)).mtimeMs,
    hits: 0,
    pinned: false,
  });
  const onDisk = await Ledger.load(join(dir, 'state', 'ledger.json'), spyLogger());
  t.truthy(onDisk.get('checkpoints/sdxl/a.safetensors'), 'the ledger was flushed');
  t.true((await readFile(cached)).equals(data));
});

test('a file of the right size but other content is removed with sha256, adopted with size', async (t) => {
  const first = await setUp(t);
  const data = await first.addModel('loras/style.safetensors', 64 * 1024);
  const other = Buffer.from(data);
  other.writeUInt8(other.readUInt8(100) ^ 1, 100);
  await first.placeInCache('loras/style.safetensors', other);
  const report = await first.reconcile('sha256');
  t.deepEqual(report.adopted, []);
  t.deepEqual(report.removed, [{ key: 'loras/style.safetensors', reason: 'its content differs from the library file' }]);
  t.deepEqual(await allFiles(first.tree.root), []);
  t.true((await stat(join(first.tree.root, 'loras'))).isDirectory(), 'the category folder stays');
  t.is(first.ledger.size, 0);

  await first.placeInCache('loras/style.safetensors', other);
  const sized = await first.reconcile('size');
  t.deepEqual(sized.adopted, ['loras/style.safetensors'], 'size verification cannot tell, and says so by adopting');
  t.is(first.ledger.get('loras/style.safetensors')?.sha256, undefined);
});

test('unknown files that the library lacks, or whose size differs, or that lie off their cache path are removed', async (t) => {
  const { tree, ledger, addModel, placeInCache, reconcile } = await setUp(t);
  await placeInCache('checkpoints/orphan.safetensors', Buffer.from('no such model'));
  const data = await addModel('vae/v.safetensors', 1000);
  await placeInCache('vae/v.safetensors', data.subarray(0, 999));
  const clipData = await addModel('text_encoders/t5.safetensors', 1000);
  await placeInCache('clip/t5.safetensors', clipData);
  const report = await reconcile();
  t.deepEqual(report.adopted, []);
  t.deepEqual(report.removed.map((change) => change.key).sort(), [
    'checkpoints/orphan.safetensors',
    'text_encoders/t5.safetensors',
    'vae/v.safetensors',
  ]);
  const reasons = Object.fromEntries(report.removed.map((change) => [change.key, change.reason]));
  t.regex(reasons['checkpoints/orphan.safetensors']!, /library has no such model/);
  t.regex(reasons['vae/v.safetensors']!, /999 bytes, the library file has 1000/);
  t.regex(reasons['text_encoders/t5.safetensors']!, /not at the cache path/);
  t.deepEqual(await allFiles(tree.root), []);
  t.is(ledger.size, 0);
});

test('an entry whose file is gone is dropped; one whose size differs and matches no library file is removed with its file', async (t) => {
  const { tree, ledger, placeInCache, reconcile } = await setUp(t);
  ledger.set(entryFor('checkpoints/gone.safetensors', 10));
  ledger.set(entryFor('loras/sub/changed.safetensors', 10));
  await placeInCache('loras/sub/changed.safetensors', Buffer.alloc(11, 1));
  const kept = Buffer.alloc(5, 2);
  ledger.set(entryFor('vae/kept.safetensors', kept.length));
  await placeInCache('vae/kept.safetensors', kept);
  const report = await reconcile();
  t.deepEqual(report.dropped, [{ key: 'checkpoints/gone.safetensors', reason: 'the cached file is missing' }]);
  t.deepEqual(report.removed, [{ key: 'loras/sub/changed.safetensors', reason: 'the library has no such model' }]);
  t.deepEqual(
    ledger.entries().map((entry) => `${entry.category}/${entry.name}`),
    ['vae/kept.safetensors'],
  );
  t.deepEqual(await allFiles(tree.root), ['vae/kept.safetensors']);
  t.deepEqual(await listDir(join(tree.root, 'loras')), [], 'the emptied subfolder was pruned, the category kept');
});

test('an entry with a wrong size does not cost a valid cached file: it is checked by hash and kept, with its hits and pin', async (t) => {
  const { ledger, addModel, placeInCache, reconcile } = await setUp(t);
  const data = await addModel('checkpoints/good.safetensors', 2 * 1024 * 1024);
  const cached = await placeInCache('checkpoints/good.safetensors', data);
  ledger.set(entryFor('checkpoints/good.safetensors', 12_345));
  const report = await reconcile();
  t.deepEqual(report.removed, []);
  t.deepEqual(report.adopted, ['checkpoints/good.safetensors']);
  t.like(ledger.get('checkpoints/good.safetensors'), { size: data.length, sha256: sha256Of(data), hits: 3, pinned: true });
  t.true((await readFile(cached)).equals(data), 'the cached file is untouched');
});

test('a ledger entry is trusted by size alone: known files are not re-hashed at every start', async (t) => {
  const { ledger, placeInCache, reconcile } = await setUp(t);
  const data = Buffer.alloc(100, 7);
  ledger.set(entryFor('checkpoints/a.safetensors', data.length, 'ee'.repeat(32)));
  await placeInCache('checkpoints/a.safetensors', data);
  const report = await reconcile();
  t.deepEqual(report, { stagingRemoved: 0, adopted: [], removed: [], dropped: [] });
  t.is(ledger.get('checkpoints/a.safetensors')?.hits, 3);
});

test('a corrupt ledger and a full cache tree end up consistent: everything verifiable is adopted', async (t) => {
  const { dir, tree, addModel, placeInCache, library } = await setUp(t);
  const a = await addModel('checkpoints/a.safetensors', 2000);
  const b = await addModel('loras/b.safetensors', 3000);
  await placeInCache('checkpoints/a.safetensors', a);
  await placeInCache('loras/b.safetensors', b);
  const file = join(dir, 'state', 'ledger.json');
  await mkdir(join(dir, 'state'), { recursive: true });
  await writeFile(file, 'garbage');
  const logger = spyLogger();
  const ledger = await Ledger.load(file, logger);
  t.true(logger.warn.calledOnce);
  const report = await reconcileCache({
    tree,
    ledger,
    lookupSource: (category, name) => library.get(`${category}/${name}`),
    verify: 'sha256',
    logger,
  });
  t.deepEqual(report.adopted.sort(), ['checkpoints/a.safetensors', 'loras/b.safetensors']);
  t.is(ledger.get('loras/b.safetensors')?.sha256, sha256Of(b));
  t.true((await listDir(join(dir, 'state'))).some((name) => name.startsWith('ledger.json.corrupt-')));
});

test('an abort during verification stops recovery with the abort reason, removing nothing', async (t) => {
  const { tree, ledger, addModel, placeInCache, library } = await setUp(t);
  const data = await addModel('checkpoints/big.safetensors', 4 * 1024 * 1024);
  await placeInCache('checkpoints/big.safetensors', data);
  const controller = new AbortController();
  await t.throwsAsync(
    reconcileCache({
      tree,
      ledger,
      lookupSource: (category, name) => {
        // The daemon is told to stop just as the verification of this file begins.
        controller.abort(new Error('shutting down'));
        return library.get(`${category}/${name}`);
      },
      verify: 'sha256',
      logger: spyLogger(),
      signal: controller.signal,
    }),
    { message: 'shutting down' },
  );
  t.deepEqual(await allFiles(tree.root), ['checkpoints/big.safetensors'], 'nothing removed for an abort');
});
