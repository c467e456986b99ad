/** The doctor checks that need root: a FUSE mount (bindfs), and folders owned by another user. */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { checkCacheSpace, checkPermissions } from '../../../src/doctor/cache-checks.js';
import { checkRoot } from '../../../src/doctor/roots.js';
import { bindfsForTest, requireBindfs } from '../../helpers/library-bindfs.js';
import { tempDir } from '../../helpers/temp-dir.js';

test('roots: a FUSE mount (a NAS stand-in) is reported as such and polled', async (t) => {
  await requireBindfs();
  const base = await tempDir(t);
  const backing = path.join(base, 'backing');
  const mount = path.join(base, 'nas');
  fs.mkdirSync(path.join(backing, 'checkpoints'), { recursive: true });
  fs.mkdirSync(mount);
  await bindfsForTest(t, backing, mount);
  const checked = await checkRoot({ label: mount, root: mount, dirs: [path.join(mount, 'checkpoints')] }, 'auto', 60);
  t.like(checked.result, { status: 'pass' });
  t.regex(checked.result.message, /: fuse\S*, polled every 1m/);
});

test('cache space: a cache on a FUSE mount warns that it is no faster than the NAS', async (t) => {
  await requireBindfs();
  const base = await tempDir(t);
  fs.mkdirSync(path.join(base, 'backing'));
  fs.mkdirSync(path.join(base, 'mount'));
  await bindfsForTest(t, path.join(base, 'backing'), path.join(base, 'mount'));
  const results = await checkCacheSpace({ cacheRoot: path.join(base, 'mount'), minFreeBytes: 1 });
  t.like(results[0], { status: 'warn' });
  t.regex(results[0]!.message, /network or FUSE filesystem/);
});

test('permissions: folders the daemon user may write pass; others fail with the chown; a caller outside the socket group is warned', async (t) => {
  const base = await tempDir(t);
  fs.chmodSync(base, 0o755);
  const owned = path.join(base, 'owned');
  const foreign = path.join(base, 'foreign');
  fs.mkdirSync(owned);
  fs.mkdirSync(foreign, { mode: 0o755 });
  fs.chownSync(owned, 4242, 4242);
  const arena = { name: 'arena', uid: 4242, gids: [4242] };
  const results = await checkPermissions({
    writable: [
      { key: 'cache.root', dir: owned },
      { key: 'state.dir', dir: path.join(foreign, 'state') },
    ],
    daemonUser: arena,
    caller: { name: 'alice', uid: 1000, gids: [1000] },
    socketGroup: { name: 'arena', gid: 4242 },
  });
  t.like(results[0], { id: 'permissions', status: 'pass' });
  t.like(results[1], { status: 'fail' });
  t.regex(results[1]!.message, new RegExp(`${foreign}, where ${path.join(foreign, 'state')} would be created, is not writable by arena`));
  t.regex(results[1]!.fix!, /sudo install -d -o arena/);
  t.like(results[2], { status: 'warn', fix: 'sudo usermod -aG arena alice, then log in again' });

  const member = await checkPermissions({ writable: [], daemonUser: arena, caller: { name: 'alice', uid: 1000, gids: [1000, 4242] }, socketGroup: { name: 'arena', gid: 4242 } });
  t.deepEqual(member, []);
});

test('permissions: a folder the daemon user cannot reach, as under a private home folder, fails and names what keeps it out', async (t) => {
  const base = await tempDir(t);
  fs.chmodSync(base, 0o755);
  const home = path.join(base, 'alice');
  const comfy = path.join(home, 'ComfyUI');
  fs.mkdirSync(comfy, { recursive: true, mode: 0o755 });
  fs.mkdirSync(path.join(home, 'cache'));
  fs.chownSync(path.join(home, 'cache'), 4242, 4242);
  fs.chmodSync(home, 0o700);
  const open = path.join(base, 'models');
  fs.mkdirSync(open, { mode: 0o755 });
  const arena = { name: 'arena', uid: 4242, gids: [4242] };
  const results = await checkPermissions({
    writable: [{ key: 'cache.root', dir: path.join(home, 'cache') }],
    readable: [
      { key: 'comfy.root', dir: comfy },
      { key: 'library.roots', dir: open },
      { key: 'library.roots', dir: path.join(base, 'unmounted') },
    ],
    daemonUser: arena,
    caller: { name: 'root', uid: 0, gids: [0] },
  });
  t.is(results.length, 2, 'a readable root and a missing one say nothing here');
  t.like(results[0], { status: 'fail' });
  t.regex(results[0]!.message, new RegExp(`arena, the user arenad runs as, cannot pass through ${home} to reach`));
  t.like(results[1], { status: 'fail' });
  t.regex(results[1]!.message, new RegExp(`cannot read ${comfy} \\(comfy\\.root\\): ${home} keeps it out`));
  t.regex(results[1]!.fix!, /setfacl -m u:arena:rx .*arenactl service install --user/);
});
