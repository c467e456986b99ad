import test from 'ava';
import { mkdir, readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { fileSystemTypeFromTable, fileSystemTypeOf, isRemoteFileSystem, parseMacMountOutput, parseProcMounts } from '../../src/library/mounts.js';
import { tempDir } from '../helpers/library-files.js';

const fixtures = path.join(import.meta.dirname, '../fixtures/library');
const procMounts = await readFile(path.join(fixtures, 'proc-mounts.txt'), 'utf8');
const macMount = await readFile(path.join(fixtures, 'mac-mount.txt'), 'utf8');

test('/proc/mounts lines become device, mount point and type, with octal escapes decoded', (t) => {
  const entries = parseProcMounts(procMounts);
  t.is(entries.length, 10);
  t.deepEqual(entries[4], { device: '//nas/Model Share', mountPoint: '/mnt/Model Share', fsType: 'cifs' });
  t.deepEqual(entries[5], { device: '/tmp/arena/src', mountPoint: '/tmp/arena/mnt', fsType: 'fuse' });
});

test('a path takes the type of the longest mount point that contains it', (t) => {
  const table = parseProcMounts(procMounts);
  t.is(fileSystemTypeFromTable(table, '/mnt/nas/loras/x.safetensors'), 'nfs4');
  t.is(fileSystemTypeFromTable(table, '/mnt/nas'), 'nfs4');
  t.is(fileSystemTypeFromTable(table, '/mnt/nas/local-overlay/checkpoints'), 'ext4');
  t.is(fileSystemTypeFromTable(table, '/mnt/Model Share/loras'), 'cifs');
  t.is(fileSystemTypeFromTable(table, '/tmp/arena/mnt/loras'), 'fuse');
  // A sibling whose name merely starts like a mount point is not inside it.
  t.is(fileSystemTypeFromTable(table, '/mnt/nas-backup'), 'ext4');
  t.is(fileSystemTypeFromTable(table, '/home/me/sshfs/models'), 'fuse.sshfs');
});

test('of two filesystems mounted on one point, the later one is in effect', (t) => {
  t.is(fileSystemTypeFromTable(parseProcMounts(procMounts), '/mnt/stacked/loras'), 'nfs');
});

test('an empty mount table gives an unknown type', (t) => {
  t.is(fileSystemTypeFromTable([], '/anything'), 'unknown');
});

test('macOS mount output is parsed, including mount points with spaces', (t) => {
  const table = parseMacMountOutput(macMount);
  t.is(table.length, 6);
  t.is(fileSystemTypeFromTable(table, '/Volumes/Models/checkpoints'), 'smbfs');
  t.is(fileSystemTypeFromTable(table, '/Volumes/NFS Loras/x'), 'nfs');
  t.is(fileSystemTypeFromTable(table, '/Users/me/ComfyUI/models'), 'apfs');
});

test('network filesystems and every FUSE type count as remote; local ones do not', (t) => {
  for (const type of ['nfs', 'nfs4', 'cifs', 'smb3', 'smbfs', 'afpfs', 'webdav', 'fuse', 'fuseblk', 'fuse.sshfs', 'fuse.rclone']) {
    t.true(isRemoteFileSystem(type), type);
  }
  for (const type of ['ext4', 'xfs', 'btrfs', 'apfs', 'tmpfs', 'zfs', 'overlay', 'unknown']) {
    t.false(isRemoteFileSystem(type), type);
  }
});

test('fileSystemTypeOf reads the live table, and a missing folder takes its parent type', async (t) => {
  const dir = await tempDir(t);
  const expected = fileSystemTypeFromTable(parseProcMounts(await readFile('/proc/mounts', 'utf8')), await realpath(dir));
  await mkdir(path.join(dir, 'sub'));
  t.is(await fileSystemTypeOf(path.join(dir, 'sub')), expected);
  t.is(await fileSystemTypeOf(path.join(dir, 'not', 'there')), expected);
});
