import { randomBytes } from 'node:crypto';
import { mkdir, open, realpath, stat, unlink, type FileHandle } from 'node:fs/promises';
import { constants, type Stats } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { modelKey } from '../core/categories.js';
import { isInside, type CacheTree } from './cache-tree.js';
import { DEFAULT_CHUNK_BYTES, pumpChunks } from './chunk-pump.js';
import { nodeCopyIo, type CopyIo } from './copy-io.js';
import { CopyAbortedError, PathError, SourceChangedError, SourceOutsideError, VerifyError } from './errors.js';
import { pathThroughHandle, realPathOf } from './open-path.js';
import { cacheFailure, errorCode, sourceFailure } from './fs-errors.js';
import { StagedWriter } from './staged-writer.js';
import { createSha256Hasher, type Sha256Hasher } from './sha256-hasher.js';

export type VerifyMode = 'size' | 'sha256';

export interface CopyRequest {
  /** The library file (absolute path). */
  source: string;
  /**
   * What the catalog saw. A source that no longer matches is not copied. A
   * known sha256 (from an update manifest, say) is checked against the copy.
   */
  expected: { size: number; mtimeMs: number; sha256?: string };
  category: string;
  name: string;
  /** `size`: byte counts and source stability only; `sha256`: also hash the bytes, for the ledger. */
  verify: VerifyMode;
  /**
   * The real folders the source must lie in (its library folder and root,
   * symlinks resolved). Checked on the opened file: a link that leads out
   * of them is refused (SourceOutsideError), whatever the catalog saw.
   */
  sourceBounds?: readonly string[];
  /** Aborting stops the copy within one chunk and removes its staging file. */
  signal?: AbortSignal;
  onProgress?(copiedBytes: number, totalBytes: number): void;
}

export interface CopyResult {
  /** modelKey(category, name): the ledger's key. */
  key: string;
  /** Canonical category and normalised name, as they now lie in the cache tree. */
  category: string;
  name: string;
  path: string;
  size: number;
  /** Present when the bytes were hashed (verify `sha256`, or an expected sha256). */
  sha256?: string;
  durationMs: number;
}

export interface CopierOptions {
  /** Replaces some of the data-path operations; for tests. */
  io?: Partial<CopyIo>;
  chunkBytes?: number;
  /** Chunks read ahead while earlier ones are written and hashed. */
  depth?: number;
  /** How much may be written before a background fsync starts; see StagedWriter. */
  flushEveryBytes?: number;
}

const DEFAULT_DEPTH = 4;
const DEFAULT_FLUSH_EVERY_BYTES = 64 * 1024 * 1024;

/** Keeps staging names under the 255-byte file name limit, whatever the model's name. */
const MAX_STAGED_BASENAME = 120;

/**
 * Copies a library file into the cache so that the cache path only ever
 * shows the complete, verified file:
 *   1. the source is read once, in large chunks, and written to a staging
 *      file unique to this attempt (`.arena/staging/<random>.<name>.part`),
 *      while a worker hashes the same chunks; on Linux the chunks are
 *      written with O_DIRECT where the filesystem allows it (see
 *      StagedWriter), otherwise through the page cache;
 *   2. it is verified: the byte count, the source still the same file with
 *      the same size, mtime and ctime after the last read as before the
 *      first, and the sha256 against an expected one when given;
 *   3. the staging file is fsynced (through the page cache also in the
 *      background as it grows), and its size on disk checked;
 *   4. it is renamed into place and the folders that changed are fsynced.
 * The order of 2 and 3 saves an fsync of a copy that is thrown away; all of
 * it happens before the rename, which is what makes the copy visible.
 * Every failure removes the staging file before rejecting with a typed error:
 * SourceChangedError, SourceMissingError, SourceReadError, NoSpaceError,
 * CacheIoError, VerifyError, CopyAbortedError, or PathError for a name that
 * would leave the cache root.
 *
 * What `sha256` guarantees: each chunk is hashed and written from the same
 * buffer, so the digest is the digest of exactly the bytes handed to the
 * kernel for the staging file (with O_DIRECT, the bytes the disk was sent);
 * the staged size is checked after fsync, which catches lost or short
 * writes, and the source checks say those bytes are the library file's as
 * it stood before and after the copy. The staged file is not read back: the
 * read would come from the page cache rather than the disk (or, after
 * O_DIRECT, be a second full read), so it would not check the media while
 * it doubled the I/O and the hashing. What the hash buys is an identity of
 * the cached bytes: recovery adopts an unknown file only when it hashes the
 * same as its library file, and a known sha256 (an update manifest's) is
 * checked against what was read.
 *
 * Why not the kernel's copy (fs.copyFile, i.e. copy_file_range, as `cp`
 * does) with the source hashed beside it: measured here it was slower than
 * this path (the hash, not the copy, bounds a verified copy, and the kernel
 * copy still fills the page cache), the digest would be of a second read of
 * the source rather than of the bytes written, it cannot be aborted (one
 * call copies the whole file), and libuv's copy loop spins forever when the
 * source shrinks during the copy, as a NAS file rewritten in place does.
 * docs/benchmarks.md has the figures (`npm run bench`).
 */
export async function copyIntoCache(tree: CacheTree, request: CopyRequest, options: CopierOptions = {}): Promise<CopyResult> {
  const started = performance.now();
  const destination = await tree.confinedPathOf(request.category, request.name);
  // pathOf accepted the name, and it normalises names the same way modelKey does.
  const key = modelKey(request.category, request.name)!;
  const slash = key.indexOf('/');
  if (request.signal?.aborted) throw new CopyAbortedError(destination, { cause: request.signal.reason });

  let source: FileHandle;
  try {
    source = await open(request.source, 'r');
  } catch (error) {
    throw sourceFailure(request.source, error);
  }
  try {
    await assertInsideBounds(request, source);
    const before = await source.stat().catch((error: unknown) => {
      throw sourceFailure(request.source, error);
    });
    if (before.size !== request.expected.size || before.mtimeMs !== request.expected.mtimeMs) {
      throw new SourceChangedError(
        request.source,
        `expected ${request.expected.size} bytes modified at ${isoTime(request.expected.mtimeMs)}, ` +
          `found ${before.size} bytes modified at ${isoTime(before.mtimeMs)}`,
      );
    }
    const { sha256 } = await copyThroughStaging(tree, request, options, source, before, destination);
    return {
      key,
      category: key.slice(0, slash),
      name: key.slice(slash + 1),
      path: destination,
      size: before.size,
      ...(sha256 === undefined ? {} : { sha256 }),
      durationMs: performance.now() - started,
    };
  } finally {
    // The copy's outcome is decided; a library file that fails to close changes nothing of it.
    await source.close().catch(() => undefined);
  }
}

async function copyThroughStaging(
  tree: CacheTree,
  request: CopyRequest,
  options: CopierOptions,
  source: FileHandle,
  before: Stats,
  destination: string,
): Promise<{ sha256?: string }> {
  const io: CopyIo = { ...nodeCopyIo, ...options.io };
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const totalBytes = before.size;
  const stagingPath = join(tree.stagingDir, `${randomBytes(8).toString('hex')}.${basename(destination).slice(-MAX_STAGED_BASENAME)}.part`);
  const failOnCache = (operation: string, path: string) => (error: unknown) => {
    throw cacheFailure(destination, path, operation, error);
  };

  await mkdir(tree.stagingDir, { recursive: true }).catch(failOnCache('create the staging folder', tree.stagingDir));
  let staged: FileHandle | undefined = await open(stagingPath, 'wx', 0o644).catch(failOnCache('create the staging file', stagingPath));
  const wantsHash = request.verify === 'sha256' || request.expected.sha256 !== undefined;
  /** The writer until it is closed: a failure waits for its writes in flight and closes its O_DIRECT handle. */
  let openWriter: StagedWriter | undefined;
  let hasher: Sha256Hasher | undefined;
  try {
    const direct = await io.openDirect(stagingPath).catch(failOnCache('open for direct writes', stagingPath));
    const writer = new StagedWriter(io, staged, options.flushEveryBytes ?? DEFAULT_FLUSH_EVERY_BYTES, direct);
    openWriter = writer;
    hasher = wantsHash ? createSha256Hasher(totalBytes, chunkBytes) : undefined;
    let copiedBytes = 0;
    const bytesRead = await pumpChunks({
      totalBytes,
      chunkBytes,
      depth: options.depth ?? DEFAULT_DEPTH,
      alignedBuffers: direct !== undefined,
      ...(request.signal ? { signal: request.signal } : {}),
      read: (buffer, position) =>
        io.read(source, buffer, position).catch((error: unknown) => {
          throw sourceFailure(request.source, error);
        }),
      consume: async (chunk, position) => {
        await Promise.all([hasher?.update(chunk), writer.write(chunk, position).catch(failOnCache('write', stagingPath))]);
        copiedBytes += chunk.length;
        request.onProgress?.(copiedBytes, totalBytes);
      },
    });
    if (bytesRead < totalBytes) {
      throw new SourceChangedError(request.source, `it ended after ${bytesRead} of ${totalBytes} bytes`);
    }
    await assertSourceUnchanged(request.source, source, before);

    const sha256 = await hasher?.digest();
    const expectedSha = request.expected.sha256?.toLowerCase();
    if (expectedSha !== undefined && sha256 !== expectedSha) {
      throw new VerifyError(destination, 'sha256', expectedSha, sha256 ?? 'not computed');
    }
    await writer.finish().catch(failOnCache('fsync', stagingPath));
    const stagedSize = (await staged.stat().catch(failOnCache('stat', stagingPath))).size;
    if (stagedSize !== totalBytes) throw new VerifyError(destination, 'size', `${totalBytes}`, `${stagedSize}`);
    await writer.close().catch(failOnCache('close', stagingPath));
    openWriter = undefined;
    await staged.close().catch(failOnCache('close', stagingPath));
    staged = undefined;

    // Past this point the copy becomes visible; an abort that arrives later is too late to matter.
    request.signal?.throwIfAborted();
    await placeFile(io, tree, stagingPath, destination, failOnCache);
    return sha256 === undefined ? {} : { sha256 };
  } catch (error) {
    await openWriter?.settle();
    // Cleaning up after a failure: the first error is the one to report, not one met on the way out.
    await openWriter?.close().catch(() => undefined);
    await staged?.close().catch(() => undefined); // as above: the first error is the one to report
    await unlink(stagingPath).catch(() => undefined); // as above; a staging file left behind is swept at the next start
    if (request.signal?.aborted) throw new CopyAbortedError(destination, { cause: error });
    throw error;
  } finally {
    await hasher?.close();
  }
}

/**
 * The library file must be the same file, with the same size, mtime and
 * ctime, after the last read as before the first. The path is checked as
 * well as the open handle, because a replacement by rename (how rsync and
 * updaters write) leaves the handle on the old, unchanged file; ctime
 * catches an in-place rewrite whose mtime was set back (`rsync -t`, `touch -r`).
 */
async function assertSourceUnchanged(path: string, source: FileHandle, before: Stats): Promise<void> {
  const [viaHandle, viaPath] = await Promise.all([source.stat(), stat(path)]).catch((error: unknown) => {
    throw sourceFailure(path, error);
  });
  for (const [label, after] of [
    ['the path', viaPath],
    ['the open file', viaHandle],
  ] as const) {
    const change = describeChange(before, after);
    if (change !== undefined) throw new SourceChangedError(path, `${label}: ${change} while it was being copied`);
  }
}

function describeChange(before: Stats, after: Stats): string | undefined {
  if (after.ino !== before.ino || after.dev !== before.dev) return 'it was replaced by another file';
  if (after.size !== before.size) return `its size went from ${before.size} to ${after.size} bytes`;
  if (after.mtimeMs !== before.mtimeMs) return 'its modification time changed';
  if (after.ctimeMs !== before.ctimeMs) return 'it was modified (ctime changed)';
  return undefined;
}

/**
 * Renames the staged file into place and fsyncs every folder whose entries
 * changed: the destination folder, and the parents of folders created for it.
 * The rename goes through the opened destination folder, after the kernel
 * says where that folder really is: a category folder swapped for a symlink
 * during the copy cannot carry the file out of the cache root. If the folder
 * fsync fails the file is taken back out, so that the cache never holds a
 * file its caller was told did not arrive.
 */
async function placeFile(
  io: CopyIo,
  tree: CacheTree,
  stagingPath: string,
  destination: string,
  failOnCache: (operation: string, path: string) => (error: unknown) => never,
): Promise<void> {
  const folder = dirname(destination);
  const firstCreated = await mkdir(folder, { recursive: true }).catch(failOnCache('create the folder', folder));
  const handle = await open(folder, constants.O_RDONLY | constants.O_DIRECTORY).catch(failOnCache('open the folder', folder));
  try {
    const [real, realRoot] = await Promise.all([realPathOf(handle, folder), realpath(tree.root)]).catch(failOnCache('resolve', folder));
    if (!isInside(realRoot, real)) {
      throw new PathError(relative(tree.root, destination), `${folder} leads outside the cache root to ${real}`);
    }
    const target = pathThroughHandle(handle, basename(destination)) ?? destination;
    await io.rename(stagingPath, target).catch(failOnCache('rename into place', destination));
  } finally {
    // A folder handle only read from: failing to close it changes nothing of the rename.
    await handle.close().catch(() => undefined);
  }
  const stop = firstCreated === undefined ? folder : dirname(firstCreated);
  try {
    for (let dir = folder; ; dir = dirname(dir)) {
      await io.syncDir(dir);
      if (dir === stop || dir === dirname(dir)) break;
    }
  } catch (error) {
    await unlink(destination).catch((unlinkError: unknown) => {
      if (errorCode(unlinkError) !== 'ENOENT') throw cacheFailure(destination, destination, 'remove', unlinkError);
    });
    failOnCache('fsync the folder of', destination)(error);
  }
}

async function assertInsideBounds(request: CopyRequest, source: FileHandle): Promise<void> {
  const bounds = request.sourceBounds;
  if (bounds === undefined) return;
  const real = await realPathOf(source, request.source).catch((error: unknown) => {
    throw sourceFailure(request.source, error);
  });
  if (!bounds.some((bound) => isInside(bound, real))) throw new SourceOutsideError(request.source, real, bounds);
}

function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
