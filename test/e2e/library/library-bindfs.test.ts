import test from 'ava';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { collectModelFolders } from '../../../src/library/model-folders.js';
import { bindfsForTest, mountBindfs, requireBindfs, unmount } from '../../helpers/library-bindfs.js';
import { startLibrary } from '../../helpers/library-harness.js';
import { tempDir, waitFor, writeModel } from '../../helpers/library-files.js';

test.before(async () => {
  await requireBindfs();
});

/** A library root served through bindfs: `backing` is the "NAS", `mount` what the daemon sees. */
async function nasRoot(t: Parameters<typeof tempDir>[0]) {
  const base = await tempDir(t, 'bindfs');
  const backing = path.join(base, 'backing');
  const mount = path.join(base, 'mount');
  await writeModel(path.join(backing, 'loras', 'first.safetensors'), 100);
  await mkdir(mount);
  await bindfsForTest(t, backing, mount);
  const { folders } = await collectModelFolders({ libraryRoots: [mount], exclude: [] });
  return { backing, mount, folders };
}

test("poll 'auto' detects the FUSE mount and polls it: a file added in the backing folder appears", async (t) => {
  const { backing, mount, folders } = await nasRoot(t);
  const { library, has } = await startLibrary(t, folders, { poll: 'auto', pollIntervalMs: 1000 });
  t.true(has('loras', 'first.safetensors', 100));
  const loras = library.status().folders.find((status) => status.dir === path.join(mount, 'loras'));
  t.like(loras, { fsType: 'fuse', mode: 'poll', state: 'ok' });

  // Made behind the mount's back: inotify on the mount never hears of it.
  await writeModel(path.join(backing, 'loras', 'from-elsewhere.safetensors'), 200, 0);
  await waitFor(() => has('loras', 'from-elsewhere.safetensors', 200), 'the file added on the "NAS"');
});

test('an unmounted NAS keeps its models as unavailable with a problem, and they return with the mount', async (t) => {
  const { backing, mount, folders } = await nasRoot(t);
  const { library, events, has } = await startLibrary(t, folders, { poll: 'auto', pollIntervalMs: 300 });
  const loras = path.join(mount, 'loras');
  t.true(has('loras', 'first.safetensors'));

  await unmount(mount);
  await waitFor(() => library.catalog.lookup('loras', 'first.safetensors')?.available === false, 'the model marked unavailable');
  await waitFor(
    () => library.problems().some((problem) => problem.startsWith(`model folder ${loras} (loras, from library.roots) is missing`)),
    'the problem about the unmounted folder',
  );
  t.like(library.status(), { unavailableModels: 1 });

  await mountBindfs(backing, mount);
  await waitFor(() => has('loras', 'first.safetensors', 100), 'the model available again');
  await waitFor(() => library.problems().length === 0, 'the problem gone');
  t.like(
    library.status().folders.find((status) => status.dir === loras),
    { state: 'ok', mode: 'poll', fsType: 'fuse' },
  );
  t.false(
    events.some((event) => event.startsWith('removed')),
    `no removal announced: ${events.join(', ')}`,
  );
  t.deepEqual(events, ['added loras/first.safetensors@100', `unavailable ${loras}`, `available ${loras}`]);
});
