import { constants } from 'node:fs';
import { open, rename, type FileHandle } from 'node:fs/promises';
import { errorCode } from './fs-errors.js';

/**
 * The filesystem operations on the copier's data path. The copier takes them
 * as a parameter so that tests can slow, corrupt, fail or record them; the
 * daemon always uses nodeCopyIo.
 */
export interface CopyIo {
  /** Reads into buffer from position of the library file; 0 at end of file. */
  read(source: FileHandle, buffer: Buffer, position: number): Promise<number>;
  /**
   * A second handle on the staging file that writes past the page cache
   * (O_DIRECT), or undefined where the platform or the filesystem has none.
   */
  openDirect(path: string): Promise<FileHandle | undefined>;
  /** Writes (part of) buffer at position of the staging file, through either handle; returns the bytes written. */
  write(target: FileHandle, buffer: Buffer, position: number): Promise<number>;
  /** fsync of the staging file. */
  sync(target: FileHandle): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** fsync of a folder, which makes a rename or a new entry in it durable. */
  syncDir(dir: string): Promise<void>;
}

/**
 * Filesystems that cannot fsync a folder (some FUSE and network ones) say
 * so with these; the rename is still atomic there, only not yet durable.
 */
const DIR_SYNC_UNSUPPORTED = new Set(['EINVAL', 'ENOTSUP', 'ENOSYS']);

/** How open(2) says a filesystem does not do O_DIRECT (tmpfs before Linux 6.6, some FUSE filesystems). */
const DIRECT_IO_UNSUPPORTED = new Set(['EINVAL', 'ENOTSUP', 'EOPNOTSUPP']);

export const nodeCopyIo: CopyIo = {
  async read(source, buffer, position) {
    const { bytesRead } = await source.read(buffer, 0, buffer.length, position);
    return bytesRead;
  },
  async openDirect(path) {
    // macOS and Windows have no O_DIRECT flag.
    if (constants.O_DIRECT === undefined) return undefined;
    try {
      return await open(path, constants.O_WRONLY | constants.O_DIRECT);
    } catch (error) {
      if (DIRECT_IO_UNSUPPORTED.has(errorCode(error) ?? '')) return undefined;
      throw error;
    }
  },
  async write(target, buffer, position) {
    const { bytesWritten } = await target.write(buffer, 0, buffer.length, position);
    return bytesWritten;
  },
  sync(target) {
    return target.sync();
  },
  rename(from, to) {
    return rename(from, to);
  },
  async syncDir(dir) {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } catch (error) {
      if (!DIR_SYNC_UNSUPPORTED.has(errorCode(error) ?? '')) throw error;
    } finally {
      await handle.close();
    }
  },
};
