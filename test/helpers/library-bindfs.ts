/**
 * bindfs mounts for the library tests. A change made in the backing folder is
 * invisible to inotify on the mount, which is how a NAS looks to the daemon.
 * Mounts are undone in teardown, even when the test fails.
 */
import { access, constants } from 'node:fs/promises';
import type { ExecutionContext } from 'ava';
import { execa } from 'execa';

/** Fails (does not skip) with what to install when FUSE or bindfs is not there. */
export async function requireBindfs(): Promise<void> {
  try {
    await access('/dev/fuse', constants.R_OK | constants.W_OK);
  } catch {
    throw new Error(
      'these tests need FUSE: /dev/fuse is missing or not accessible (load the fuse module, or run the container with --device /dev/fuse)',
    );
  }
  const found = await execa('bindfs', ['--version'], { reject: false });
  if (found.exitCode !== 0) throw new Error('these tests need bindfs: install it (Debian: apt-get install bindfs)');
}

async function isMounted(mountPoint: string): Promise<boolean> {
  return (await execa('mountpoint', ['-q', mountPoint], { reject: false })).exitCode === 0;
}

export async function mountBindfs(source: string, mountPoint: string): Promise<void> {
  await execa('bindfs', [source, mountPoint]);
}

/** Unmounts, retrying while the mount is busy (a poll may be reading it), lazily as a last resort. */
export async function unmount(mountPoint: string): Promise<void> {
  for (let attempt = 0; attempt < 20 && (await isMounted(mountPoint)); attempt += 1) {
    const result = await execa('fusermount', ['-u', mountPoint], { reject: false });
    if (result.exitCode === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (await isMounted(mountPoint)) await execa('fusermount', ['-uz', mountPoint]);
}

/** Mounts `source` on `mountPoint` for the rest of the test. */
export async function bindfsForTest(t: ExecutionContext, source: string, mountPoint: string): Promise<void> {
  await mountBindfs(source, mountPoint);
  t.teardown(() => unmount(mountPoint));
}
