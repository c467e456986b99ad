import test, { type ExecutionContext } from 'ava';
import { renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdir, open, readFile, realpath, stat, symlink, writeFile, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CacheTree } from '../../src/cache/cache-tree.js';
import { copyIntoCache, type CopyRequest } from '../../src/cache/copier.js';
import { nodeCopyIo, type CopyIo } from '../../src/cache/copy-io.js';
import {
  CacheIoError,
  CopyAbortedError,
  NoSpaceError,
  PathError,
  SourceChangedError,
  SourceMissingError,
  VerifyError,
} from '../../src/cache/errors.js';
import { MiB, allFiles, describeSource, listDir, sha256Of, tempDir, writeRandomFile } from '../helpers/cache-fixtures.js';

const CHUNK = 1 * MiB;

async function setUp(t: ExecutionContext, bytes = 4 * MiB) {
  const dir = await tempDir(t);
  const source = join(dir, 'nas', 'checkpoints', 'model.safetensors');
  const data = await writeRandomFile(source, bytes);
  const tree = new CacheTree(join(dir, 'cache'));
  await tree.ensure();
  const described = await describeSource(source);
  const request: CopyRequest = {
    source,
    expected: { size: described.size, mtimeMs: described.mtimeMs },
    category: 'checkpoints',
    name: 'sdxl/model.safetensors',
    verify: 'sha256',
  };
  return { dir, source, data, tree, request };
}

async function assertStagingEmpty(t: ExecutionContext, tree: CacheTree): Promise<void> {
  t.deepEqual(await listDir(tree.stagingDir), [], 'staging is empty');
}

/** Nothing but the staging folder itself: no partial file, anywhere in the cache root. */
async function assertCacheEmpty(t: ExecutionContext, tree: CacheTree): Promise<void> {
  t.deepEqual(await listDir(tree.stagingDir), [], 'staging is empty');
  t.deepEqual(await allFiles(tree.root), [], 'no file anywhere under the cache root');
}

test('a copy lands byte-identical at its cache path, with its sha256, and leaves staging empty', async (t) => {
  const { tree, request, data } = await setUp(t);
  const progress: number[] = [];
  const result = await copyIntoCache(tree, { ...request, onProgress: (copied, total) => progress.push(copied / total) }, { chunkBytes: CHUNK });
  const expectedPath = join(tree.root, 'checkpoints', 'sdxl', 'model.safetensors');
  t.is(result.path, expectedPath);
  t.is(result.key, 'checkpoints/sdxl/model.safetensors');
  t.is(result.category, 'checkpoints');
  t.is(result.name, 'sdxl/model.safetensors');
  t.is(result.size, data.length);
  t.is(result.sha256, sha256Of(data));
  t.true(result.durationMs >= 0);
  t.true((await readFile(expectedPath)).equals(data));
  t.deepEqual(await listDir(tree.stagingDir), []);
  t.deepEqual(progress, [0.25, 0.5, 0.75, 1]);
});

test('the staged file is fsynced before the rename, and every folder that changed is fsynced after it', async (t) => {
  const { tree, request } = await setUp(t);
  const events: string[] = [];
  const io: Partial<CopyIo> = {
    write: async (target, buffer, position) => {
      events.push('write');
      return nodeCopyIo.write(target, buffer, position);
    },
    sync: async (target) => {
      events.push('sync');
      return nodeCopyIo.sync(target);
    },
    rename: async (from, to) => {
      t.true(from.startsWith(tree.stagingDir + '/'), 'renamed from staging');
      t.regex(from, /\/[0-9a-f]{16}\.model\.safetensors\.part$/);
      // The rename goes through the opened destination folder; name where that folder really is.
      const folder = await realpath(dirname(to));
      events.push(`rename ${folder.slice(tree.root.length)}/${basename(to)}`);
      return nodeCopyIo.rename(from, to);
    },
    syncDir: async (dir) => {
      events.push(`syncDir ${dir.slice(tree.root.length) || '/'}`);
      return nodeCopyIo.syncDir(dir);
    },
  };
  await copyIntoCache(tree, { ...request, name: 'sdxl/v2/model.safetensors' }, { chunkBytes: CHUNK, io });
  t.deepEqual(events, [
    'write',
    'write',
    'write',
    'write',
    'sync',
    'rename /checkpoints/sdxl/v2/model.safetensors',
    'syncDir /checkpoints/sdxl/v2',
    'syncDir /checkpoints/sdxl',
    'syncDir /checkpoints',
    'syncDir /',
  ]);
});

test('through the page cache (no O_DIRECT), a large copy is fsynced in the background as it goes, and still fsynced last', async (t) => {
  const { tree, request, data } = await setUp(t);
  const events: string[] = [];
  const io: Partial<CopyIo> = {
    openDirect: () => Promise.resolve(undefined),
    write: async (target, buffer, position) => {
      events.push('write');
      return nodeCopyIo.write(target, buffer, position);
    },
    sync: async (target) => {
      events.push('sync');
      return nodeCopyIo.sync(target);
    },
    rename: async (from, to) => {
      events.push('rename');
      return nodeCopyIo.rename(from, to);
    },
  };
  const result = await copyIntoCache(tree, request, { chunkBytes: CHUNK, flushEveryBytes: 2 * CHUNK, io });
  t.true((await readFile(result.path)).equals(data));
  const firstSync = events.indexOf('sync');
  t.true(firstSync > 0 && firstSync < events.lastIndexOf('write'), `a flush ran between writes: ${events.join(' ')}`);
  t.deepEqual(events.slice(-2), ['sync', 'rename']);
});

/**
 * Stands in for O_DIRECT with a second ordinary handle on the staging file,
 * so that which writes take which handle is seen on any filesystem; records
 * the writes and whether the handle was closed.
 */
function directStandIn(io: Partial<CopyIo> = {}) {
  const record = { direct: undefined as FileHandle | undefined, closed: false, writes: [] as string[] };
  const standIn: Partial<CopyIo> = {
    openDirect: async (path) => {
      const handle = await open(path, 'r+');
      const close = handle.close.bind(handle);
      handle.close = async () => {
        record.closed = true;
        return close();
      };
      record.direct = handle;
      return handle;
    },
    write: async (target, buffer, position) => {
      record.writes.push(`${target === record.direct ? 'direct' : 'cached'} ${position}+${buffer.length}`);
      return (io.write ?? nodeCopyIo.write)(target, buffer, position);
    },
    sync: async (target) => {
      record.writes.push('sync');
      return nodeCopyIo.sync(target);
    },
  };
  return { record, io: standIn };
}

test('with an O_DIRECT handle, full chunks bypass the page cache, the tail goes through it, and nothing is flushed early', async (t) => {
  const { tree, request, source } = await setUp(t);
  const data = await writeRandomFile(source, 4 * CHUNK + 1000);
  const described = await describeSource(source);
  const { record, io } = directStandIn();
  const result = await copyIntoCache(
    tree,
    { ...request, expected: { size: described.size, mtimeMs: described.mtimeMs } },
    { chunkBytes: CHUNK, flushEveryBytes: CHUNK, io },
  );
  t.true((await readFile(result.path)).equals(data));
  t.is(result.sha256, sha256Of(data), 'the worker hashed the chunks in their aligned memory');
  t.deepEqual(record.writes, [
    `direct 0+${CHUNK}`,
    `direct ${CHUNK}+${CHUNK}`,
    `direct ${2 * CHUNK}+${CHUNK}`,
    `direct ${3 * CHUNK}+${CHUNK}`,
    `cached ${4 * CHUNK}+1000`,
    'sync',
  ]);
  t.true(record.closed, 'the direct handle was closed');
  await assertStagingEmpty(t, tree);
});

test('a direct write refused with EINVAL sends the rest of the copy through the page cache, and it completes', async (t) => {
  const { tree, request, data } = await setUp(t);
  let refusals = 0;
  const { record, io } = directStandIn({
    write: async (target, buffer, position) => {
      if (target === record.direct) {
        refusals += 1;
        throw Object.assign(new Error('EINVAL: invalid argument, write'), { code: 'EINVAL' });
      }
      return nodeCopyIo.write(target, buffer, position);
    },
  });
  const result = await copyIntoCache(tree, request, { chunkBytes: CHUNK, flushEveryBytes: 2 * CHUNK, io });
  t.true((await readFile(result.path)).equals(data));
  t.is(refusals, 1, 'the direct handle is given up after its first refusal');
  t.deepEqual(
    record.writes.filter((write) => write.startsWith('cached')),
    [0, 1, 2, 3].map((index) => `cached ${index * CHUNK}+${CHUNK}`),
  );
  t.true(record.writes.indexOf('sync') < record.writes.lastIndexOf(`cached ${3 * CHUNK}+${CHUNK}`), 'background flushes resume');
  t.true(record.closed);
});

test('a direct write failing with ENOSPC gives NoSpaceError, closes the direct handle and leaves nothing', async (t) => {
  const { tree, request } = await setUp(t);
  const { record, io } = directStandIn({
    write: async (target, buffer, position) => {
      if (target === record.direct && position >= CHUNK) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      return nodeCopyIo.write(target, buffer, position);
    },
  });
  const error = await t.throwsAsync(copyIntoCache(tree, request, { chunkBytes: CHUNK, io }), { instanceOf: NoSpaceError });
  t.is((error?.cause as { code?: string }).code, 'ENOSPC');
  t.true(record.closed, 'the direct handle was closed');
  await assertCacheEmpty(t, tree);
});

test('on this machine, the real O_DIRECT path (or the page cache where the filesystem has none) copies byte-identical', async (t) => {
  const { tree, request, source } = await setUp(t);
  const data = await writeRandomFile(source, 3 * CHUNK + 4096 + 7);
  const described = await describeSource(source);
  let direct: FileHandle | undefined;
  let directWrites = 0;
  const io: Partial<CopyIo> = {
    openDirect: async (path) => (direct = await nodeCopyIo.openDirect(path)),
    write: async (target, buffer, position) => {
      const bytes = await nodeCopyIo.write(target, buffer, position);
      if (target === direct) directWrites += 1;
      return bytes;
    },
  };
  const result = await copyIntoCache(tree, { ...request, expected: { size: described.size, mtimeMs: described.mtimeMs } }, { chunkBytes: CHUNK, io });
  t.true((await readFile(result.path)).equals(data));
  t.is(result.sha256, sha256Of(data));
  if (direct === undefined) {
    t.log(`no O_DIRECT on ${process.platform} for ${tree.stagingDir}: the copy went through the page cache`);
    t.is(directWrites, 0);
  } else {
    t.is(directWrites, 3, 'every full chunk was written with O_DIRECT, which accepted the aligned buffers');
  }
});

for (const [code, arenaCode, errorClass] of [
  ['EIO', 'E_CACHE_IO', CacheIoError],
  ['ENOSPC', 'E_NO_SPACE', NoSpaceError],
] as const) {
  test(`a background fsync failing with ${code} fails the copy with ${errorClass.name}, nothing visible`, async (t) => {
    const { tree, request } = await setUp(t);
    const io: Partial<CopyIo> = {
      // Background fsyncs happen only on the page-cache path.
      openDirect: () => Promise.resolve(undefined),
      sync: () => Promise.reject(Object.assign(new Error(`${code}: fsync`), { code })),
    };
    const error = await t.throwsAsync(copyIntoCache(tree, request, { chunkBytes: CHUNK, flushEveryBytes: CHUNK, io }), {
      code: arenaCode,
    });
    t.true(error instanceof errorClass);
    t.is((error?.cause as { code?: string }).code, code);
    await assertCacheEmpty(t, tree);
  });
}

test('verify size copies without hashing; sha256 hashes both small (inline) and multi-chunk (worker) files', async (t) => {
  const { tree, request, data } = await setUp(t);
  const sized = await copyIntoCache(tree, { ...request, verify: 'size' }, { chunkBytes: CHUNK });
  t.is(sized.sha256, undefined);
  t.true((await readFile(sized.path)).equals(data));

  const hashedInline = await copyIntoCache(tree, { ...request, name: 'inline.safetensors' }, { chunkBytes: 8 * MiB });
  const hashedWorker = await copyIntoCache(tree, { ...request, name: 'worker.safetensors' }, { chunkBytes: 256 * 1024 });
  t.is(hashedInline.sha256, sha256Of(data));
  t.is(hashedWorker.sha256, sha256Of(data));
});

test('a known sha256 that the bytes do not match gives VerifyError and nothing visible', async (t) => {
  const { tree, request, data } = await setUp(t);
  const wrong = sha256Of(Buffer.concat([data, Buffer.from('x')]));
  const error = await t.throwsAsync(copyIntoCache(tree, { ...request, expected: { ...request.expected, sha256: wrong } }, { chunkBytes: CHUNK }), {
    instanceOf: VerifyError,
  });
  t.is(error?.code, 'E_VERIFY');
  t.is(error?.expected, wrong);
  t.is(error?.actual, sha256Of(data));
  await assertCacheEmpty(t, tree);

  const right = await copyIntoCache(
    tree,
    { ...request, verify: 'size', expected: { ...request.expected, sha256: sha256Of(data).toUpperCase() } },
    { chunkBytes: CHUNK },
  );
  t.is(right.sha256, sha256Of(data), 'an expected sha256 is checked even with verify size');
});

test('a write that silently loses bytes is caught by the size check: VerifyError, nothing visible', async (t) => {
  const { tree, request } = await setUp(t);
  const io: Partial<CopyIo> = {
    write: async (target, buffer, position) => {
      const isLastChunk = position + buffer.length === request.expected.size;
      const written = await nodeCopyIo.write(target, isLastChunk ? buffer.subarray(0, -1) : buffer, position);
      return isLastChunk ? written + 1 : written;
    },
  };
  const error = await t.throwsAsync(copyIntoCache(tree, request, { chunkBytes: CHUNK, io }), { instanceOf: VerifyError });
  t.regex(error?.message ?? '', /size/);
  await assertCacheEmpty(t, tree);
});

test('a source rewritten in place during the copy gives SourceChangedError and nothing visible', async (t) => {
  const { tree, request, source, data } = await setUp(t);
  let rewritten = false;
  const error = await t.throwsAsync(
    copyIntoCache(
      tree,
      {
        ...request,
        onProgress: () => {
          if (rewritten) return;
          rewritten = true;
          const changed = Buffer.from(data);
          changed.writeUInt8(changed.readUInt8(0) ^ 0xff, 0);
          writeFileSync(source, changed);
        },
      },
      { chunkBytes: CHUNK },
    ),
    { instanceOf: SourceChangedError },
  );
  t.is(error?.code, 'E_SOURCE_CHANGED');
  t.true(error?.retryable);
  await assertCacheEmpty(t, tree);
});

test('a source replaced by a rename during the copy gives SourceChangedError', async (t) => {
  const { tree, request, source, dir, data } = await setUp(t);
  const replacement = join(dir, 'replacement.safetensors');
  await writeFile(replacement, data);
  let replaced = false;
  const replaceOnce = () => {
    if (!replaced) renameSync(replacement, source);
    replaced = true;
  };
  await t.throwsAsync(copyIntoCache(tree, { ...request, onProgress: replaceOnce }, { chunkBytes: CHUNK }), {
    instanceOf: SourceChangedError,
    message: /replaced/,
  });
  await assertCacheEmpty(t, tree);
});

test('a source deleted during the copy gives SourceMissingError and nothing visible', async (t) => {
  const { tree, request, source } = await setUp(t);
  let deleted = false;
  const deleteOnce = () => {
    if (!deleted) unlinkSync(source);
    deleted = true;
  };
  const error = await t.throwsAsync(copyIntoCache(tree, { ...request, onProgress: deleteOnce }, { chunkBytes: CHUNK }), {
    instanceOf: SourceMissingError,
  });
  t.is(error?.code, 'E_SOURCE_MISSING');
  await assertCacheEmpty(t, tree);
});

test('a NAS that fails mid-read (EIO) gives SourceMissingError and nothing visible', async (t) => {
  const { tree, request } = await setUp(t);
  const io: Partial<CopyIo> = {
    read: async (source, buffer, position) => {
      if (position >= 2 * CHUNK) throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
      return nodeCopyIo.read(source, buffer, position);
    },
  };
  const error = await t.throwsAsync(copyIntoCache(tree, request, { chunkBytes: CHUNK, io }), {
    instanceOf: SourceMissingError,
  });
  t.regex(error?.message ?? '', /EIO/);
  t.is((error?.cause as { code?: string }).code, 'EIO');
  await assertCacheEmpty(t, tree);
});

test('a source that no longer matches the catalog is refused before anything is written', async (t) => {
  const { tree, request } = await setUp(t);
  let writes = 0;
  const io: Partial<CopyIo> = { write: () => Promise.resolve(++writes) };
  await t.throwsAsync(copyIntoCache(tree, { ...request, expected: { ...request.expected, size: request.expected.size + 1 } }, { io }), {
    instanceOf: SourceChangedError,
  });
  await t.throwsAsync(copyIntoCache(tree, { ...request, expected: { ...request.expected, mtimeMs: request.expected.mtimeMs + 1000 } }, { io }), {
    instanceOf: SourceChangedError,
  });
  t.is(writes, 0);
  await assertCacheEmpty(t, tree);
});

test('a missing source gives SourceMissingError', async (t) => {
  const { tree, request, dir } = await setUp(t);
  await t.throwsAsync(copyIntoCache(tree, { ...request, source: join(dir, 'nas', 'gone.safetensors') }), {
    instanceOf: SourceMissingError,
  });
  await assertCacheEmpty(t, tree);
});

test('an abort during the copy stops it within a few chunks: CopyAbortedError, nothing visible', async (t) => {
  const { tree, request } = await setUp(t, 16 * MiB);
  const controller = new AbortController();
  let writes = 0;
  const io: Partial<CopyIo> = {
    write: async (target, buffer, position) => {
      writes += 1;
      return nodeCopyIo.write(target, buffer, position);
    },
  };
  const error = await t.throwsAsync(
    copyIntoCache(
      tree,
      { ...request, signal: controller.signal, onProgress: () => controller.abort() },
      {
        chunkBytes: CHUNK,
        io,
      },
    ),
    { instanceOf: CopyAbortedError },
  );
  t.is(error?.code, 'E_ABORTED');
  t.true(writes < 16, `stopped after ${writes} of 16 chunks`);
  await assertCacheEmpty(t, tree);
});

test('an already aborted signal copies nothing', async (t) => {
  const { tree, request } = await setUp(t);
  await t.throwsAsync(copyIntoCache(tree, { ...request, signal: AbortSignal.abort() }), { instanceOf: CopyAbortedError });
  await assertCacheEmpty(t, tree);
});

test('a new copy replaces the cached one in a single rename; a failed one leaves it untouched', async (t) => {
  const { tree, request, source } = await setUp(t);
  const first = await copyIntoCache(tree, request, { chunkBytes: CHUNK });
  const oldBytes = await readFile(first.path);

  const newData = await writeRandomFile(source, 3 * MiB);
  const updated = await describeSource(source);
  const newRequest = { ...request, expected: { size: updated.size, mtimeMs: updated.mtimeMs } };
  await t.throwsAsync(copyIntoCache(tree, { ...newRequest, signal: AbortSignal.abort() }), {
    instanceOf: CopyAbortedError,
  });
  t.true((await readFile(first.path)).equals(oldBytes), 'the failed copy left the old file in place');

  const second = await copyIntoCache(tree, newRequest, { chunkBytes: CHUNK });
  t.is(second.path, first.path);
  t.true((await readFile(second.path)).equals(newData));
  t.deepEqual(await listDir(tree.stagingDir), []);
});

test('an empty source file is copied as an empty file', async (t) => {
  const { tree, request, source } = await setUp(t);
  await writeRandomFile(source, 0);
  const described = await describeSource(source);
  const result = await copyIntoCache(tree, { ...request, expected: { size: 0, mtimeMs: described.mtimeMs } });
  t.is((await stat(result.path)).size, 0);
  t.is(result.sha256, sha256Of(Buffer.alloc(0)));
});

test('a name that leaves the cache root is refused with PathError and nothing is created', async (t) => {
  const { tree, request, dir } = await setUp(t);
  await t.throwsAsync(copyIntoCache(tree, { ...request, name: '../../escape.safetensors' }), { instanceOf: PathError });
  await mkdir(join(dir, 'elsewhere'));
  await symlink(join(dir, 'elsewhere'), join(tree.root, 'loras'));
  await t.throwsAsync(copyIntoCache(tree, { ...request, category: 'loras' }), { instanceOf: PathError });
  t.deepEqual(await listDir(join(dir, 'elsewhere')), []);
  t.deepEqual(await listDir(tree.stagingDir), []);
});

test('a category folder swapped for a symlink while the copy runs cannot carry the file out of the cache', async (t) => {
  const { tree, request, dir } = await setUp(t);
  const outside = join(dir, 'outside');
  await mkdir(outside);
  let swapped = false;
  const io: Partial<CopyIo> = {
    sync: async (target) => {
      // Just before the rename: the category folder, already created and checked, is moved away and replaced by a link.
      if (!swapped) {
        swapped = true;
        await mkdir(join(tree.root, 'checkpoints', 'sdxl'), { recursive: true });
        renameSync(join(tree.root, 'checkpoints'), join(dir, 'moved-aside'));
        await symlink(outside, join(tree.root, 'checkpoints'));
      }
      return nodeCopyIo.sync(target);
    },
  };
  await t.throwsAsync(copyIntoCache(tree, request, { chunkBytes: CHUNK, io }), { instanceOf: PathError, message: /leads outside the cache root/ });
  t.true(swapped);
  t.deepEqual(await allFiles(outside), [], 'nothing was written through the link');
  await assertStagingEmpty(t, tree);
});

test('a library file that is a symlink out of its library folders is refused at open; a link inside them is copied', async (t) => {
  const { tree, request, dir, data } = await setUp(t);
  const libraryRoot = join(dir, 'nas');
  const secret = join(dir, 'secret.safetensors');
  writeFileSync(secret, 'root-only bytes', { mode: 0o600 });
  const link = join(libraryRoot, 'checkpoints', 's.safetensors');
  await symlink(secret, link);
  const linked = await describeSource(link);
  await t.throwsAsync(
    copyIntoCache(tree, { ...request, source: link, expected: { size: linked.size, mtimeMs: linked.mtimeMs }, sourceBounds: [libraryRoot] }),
    { code: 'E_PATH', message: /leads outside its library folders/ },
  );
  await assertCacheEmpty(t, tree);

  const inside = join(libraryRoot, 'loras', 'alias.safetensors');
  await mkdir(join(libraryRoot, 'loras'));
  await symlink(request.source, inside);
  const result = await copyIntoCache(tree, { ...request, source: inside, sourceBounds: [libraryRoot] });
  t.true((await readFile(result.path)).equals(data));
});
