import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CacheTree } from '../../../src/cache/cache-tree.js';
import { copyIntoCache } from '../../../src/cache/copier.js';
import { NoSpaceError } from '../../../src/cache/errors.js';
import { freeSpace } from '../../../src/cache/free-space.js';
import { MiB, allFiles, describeSource, listDir, writeRandomFile } from '../../helpers/cache-fixtures.js';

// A real full disk: a 4 MiB tmpfs as the cache root (needs root, as the test machines run).
// The temp folder is removed here rather than by a teardown, which would run before the unmount.
const mounts: Array<{ dir: string; mountPoint: string }> = [];

test.after.always(async () => {
  for (const { dir, mountPoint } of mounts) {
    execFileSync('umount', [mountPoint]);
    await rm(dir, { recursive: true, force: true });
  }
});

test('a copy that fills the cache filesystem gives NoSpaceError, and frees what it had written', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'arena-enospc-'));
  const mountPoint = join(dir, 'ssd');
  await mkdir(mountPoint);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mountPoint]);
  mounts.push({ dir, mountPoint });

  const space = await freeSpace(mountPoint);
  t.is(space.totalBytes, 4 * MiB);
  t.is(space.freeBytes, 4 * MiB);

  const tree = new CacheTree(mountPoint);
  await tree.ensure();
  const big = join(dir, 'nas', 'big.safetensors');
  await writeRandomFile(big, 8 * MiB);
  const bigSource = await describeSource(big);
  const error = await t.throwsAsync(
    copyIntoCache(
      tree,
      {
        source: big,
        expected: { size: bigSource.size, mtimeMs: bigSource.mtimeMs },
        category: 'checkpoints',
        name: 'big.safetensors',
        verify: 'sha256',
      },
      { chunkBytes: MiB },
    ),
    { instanceOf: NoSpaceError },
  );
  t.is(error?.code, 'E_NO_SPACE');
  t.is((error?.cause as { code?: string }).code, 'ENOSPC');
  t.deepEqual(await listDir(tree.stagingDir), []);
  t.deepEqual(await allFiles(tree.root), []);
  t.is((await freeSpace(mountPoint)).freeBytes, 4 * MiB, 'the partial copy gave its space back');

  const small = join(dir, 'nas', 'small.safetensors');
  const smallData = await writeRandomFile(small, 2 * MiB);
  const smallSource = await describeSource(small);
  const result = await copyIntoCache(
    tree,
    {
      source: small,
      expected: { size: smallSource.size, mtimeMs: smallSource.mtimeMs },
      category: 'loras',
      name: 'small.safetensors',
      verify: 'sha256',
    },
    { chunkBytes: MiB },
  );
  t.true((await readFile(result.path)).equals(smallData), 'a copy that fits still succeeds afterwards');
});
