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
  /** Writes (part of) buffer at position of the staging file; returns the bytes written. */
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

export const nodeCopyIo: CopyIo = {
  async read(source, buffer, position) {
    const { bytesRead } = await source.read(buffer, 0, buffer.length, position);
    return bytesRead;
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
