import fs from 'node:fs';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { execa } from 'execa';
import { ControlClient } from '../../src/control/control-client.js';
import type { EventMessage } from '../../src/control/protocol.js';
import { spawnDaemon, type DaemonHandle } from '../helpers/daemon-process.js';
import { mountBindfs, requireBindfs, unmount } from '../helpers/library-bindfs.js';
import { sha256Of, visibleCacheFiles, writeModel } from '../helpers/model-files.js';
import { eventually } from '../helpers/raw-socket.js';
import { tempDir } from '../helpers/temp-dir.js';

const MB = 1024 * 1024;

/** Every visible cached file equals its library source: nothing partial, nothing stale. */
async function assertNothingPartial(t: ExecutionContext, cacheRoot: string, nas: string, hashes: Map<string, string>): Promise<void> {
  for (const [key, file] of visibleCacheFiles(cacheRoot)) {
    const expected = hashes.get(key) ?? (await sha256Of(path.join(nas, key)));
    t.is(await sha256Of(file), expected, `${key} in the cache is not the complete library file`);
  }
}

async function cachedKeys(daemon: DaemonHandle): Promise<string[]> {
  const { entries } = await daemon.request('ls');
  return entries
    .filter((entry) => entry.state === 'cached')
    .map((entry) => entry.key)
    .sort();
}

/** Subscribes to the daemon's prefetch and cache events; resolves once the first matching event arrives. */
async function onceEvent(
  t: ExecutionContext,
  daemon: DaemonHandle,
  match: (event: EventMessage) => boolean,
): Promise<{ seen: Promise<EventMessage>; events: EventMessage[] }> {
  const client = await ControlClient.connect(daemon.socketPath);
  t.teardown(() => client.close());
  const events: EventMessage[] = [];
  let resolveSeen!: (event: EventMessage) => void;
  const seen = new Promise<EventMessage>((resolve) => (resolveSeen = resolve));
  await client.subscribe(['prefetch', 'cache'], (event) => {
    events.push(event);
    if (match(event)) resolveSeen(event);
  });
  return { seen, events };
}

test.serial(
  'SIGKILL at random points during copies, repeated: nothing partial is ever visible, the ledger matches the disk, the copies complete',
  async (t) => {
    const home = await tempDir(t);
    const nas = path.join(home, 'nas');
    const cacheRoot = path.join(home, 'ssd');
    const keys = ['checkpoints/a.safetensors', 'checkpoints/b.safetensors', 'loras/c.safetensors'];
    const hashes = new Map<string, string>();
    for (const [index, key] of keys.entries()) hashes.set(key, await sha256Of(writeModel(path.join(nas, key), (96 + index * 16) * MB)));
    const env = { ARENA_LIBRARY_ROOTS: nas, ARENA_CACHE_ROOT: cacheRoot, ARENA_PREFETCH_CONCURRENCY: '2' };
    const models = keys.map((key) => ({ category: key.split('/')[0]!, name: key.split('/')[1]! }));

    const staging = path.join(cacheRoot, '.arena', 'staging');
    let leftBehind: string[] = [];
    for (let round = 0; round < 5; round += 1) {
      const daemon = await spawnDaemon(t, { home, env });
      await daemon.waitForState((status) => status.library.models === keys.length, 'the library scanned');
      // Each restart first recovers: what it lists as cached must be exactly what is on disk.
      t.deepEqual(await cachedKeys(daemon), [...visibleCacheFiles(cacheRoot).keys()].sort(), `round ${round}: ledger and disk agree`);
      // The resumed copies write new partial files; none of those the killed daemon left may survive.
      const stillThere = fs.readdirSync(staging).filter((name) => leftBehind.includes(name));
      t.deepEqual(stillThere, [], `round ${round}: the killed daemon's partial copies were removed`);
      await daemon.request('prefetch', { models });
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 700)));
      daemon.signal('SIGKILL');
      await daemon.exited;
      await assertNothingPartial(t, cacheRoot, nas, hashes);
      leftBehind = fs.existsSync(staging) ? fs.readdirSync(staging) : [];
    }

    const daemon = await spawnDaemon(t, { home, env });
    await daemon.waitForState((status) => status.library.models === keys.length, 'the library scanned');
    // The saved queue resumes what was wanted before the kill, with no new request.
    await eventually(
      async () => (await cachedKeys(daemon)).length === keys.length,
      60_000,
      () => `all copies complete (daemon output:\n${daemon.output()})`,
    );
    await assertNothingPartial(t, cacheRoot, nas, hashes);
    t.deepEqual([...visibleCacheFiles(cacheRoot).keys()].sort(), keys);
    t.deepEqual(fs.readdirSync(path.join(cacheRoot, '.arena', 'staging')), []);
  },
);

test.serial(
  'a cache filesystem that fills up during a copy: the copy fails cleanly, the daemon stays up with a problem, and retries once there is room',
  async (t) => {
    const home = await tempDir(t);
    const disk = path.join(home, 'ssd-disk');
    fs.mkdirSync(disk);
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=320m', 'tmpfs', disk]);
    t.teardown(() => execa('umount', ['-l', disk], { reject: false }));
    const cacheRoot = path.join(disk, 'cache');
    const nas = path.join(home, 'nas');
    const hash = await sha256Of(writeModel(path.join(nas, 'checkpoints', 'big.safetensors'), 200 * MB));
    const daemon = await spawnDaemon(t, {
      home,
      env: { ARENA_LIBRARY_ROOTS: nas, ARENA_CACHE_ROOT: cacheRoot, ARENA_CACHE_MIN_FREE_GB: '0' },
    });
    await daemon.waitForState((status) => status.library.models === 1, 'the library scanned');

    // Another program fills the disk while the copy runs: the space was there when the copy started.
    const filler = path.join(disk, 'other-program.bin');
    let sawNoSpace = false;
    for (let attempt = 0; attempt < 5 && !sawNoSpace; attempt += 1) {
      const { seen, events } = await onceEvent(t, daemon, (event) => event.event === 'prefetch.started');
      await daemon.request('prefetch', { models: [{ category: 'checkpoints', name: 'big.safetensors' }] });
      await seen;
      // fallocate takes the space at once; writing 200 MB from here took long enough that the copy sometimes finished first.
      await execa('fallocate', ['-l', String(200 * MB), filler], { reject: false });
      await eventually(
        () => events.some((event) => event.event === 'prefetch.done' || event.event === 'prefetch.failed'),
        30_000,
        () =>
          `the copy to end (events: ${JSON.stringify(events.filter((e) => e.event !== 'prefetch.progress'))}; daemon output:\n${daemon.output()})`,
      );
      sawNoSpace = events.some((event) => event.event === 'prefetch.failed' && event.code === 'E_NO_SPACE');
      if (!sawNoSpace) {
        fs.rmSync(filler, { force: true });
        await daemon.request('evict', { key: 'checkpoints/big.safetensors' });
      }
    }
    t.true(sawNoSpace, 'the copy ran into ENOSPC');
    t.deepEqual([...visibleCacheFiles(cacheRoot).keys()], [], 'no partial file visible');
    t.deepEqual(fs.readdirSync(path.join(cacheRoot, '.arena', 'staging')), [], 'staging cleaned');
    const status = await daemon.status();
    t.is(status.state, 'degraded');
    t.true(
      status.problems.some((problem) => problem.startsWith('the cache filesystem is full: copying checkpoints/big.safetensors failed')),
      status.problems.join('\n'),
    );

    fs.rmSync(filler);
    await daemon.request('prefetch', { models: [{ category: 'checkpoints', name: 'big.safetensors' }] });
    await eventually(
      async () => (await cachedKeys(daemon)).length === 1,
      30_000,
      () => `the retry to complete (daemon output:\n${daemon.output()})`,
    );
    t.is(await sha256Of(path.join(cacheRoot, 'checkpoints', 'big.safetensors')), hash);
    await daemon.waitForState((current) => current.state === 'ready', 'the problem to clear');
  },
);

test.serial('the source deleted during a copy: nothing is left in the cache and the daemon carries on', async (t) => {
  const home = await tempDir(t);
  const nas = path.join(home, 'nas');
  const cacheRoot = path.join(home, 'ssd');
  const source = writeModel(path.join(nas, 'checkpoints', 'doomed.safetensors'), 256 * MB);
  const daemon = await spawnDaemon(t, { home, env: { ARENA_LIBRARY_ROOTS: nas, ARENA_CACHE_ROOT: cacheRoot } });
  await daemon.waitForState((status) => status.library.models === 1, 'the library scanned');
  const { seen } = await onceEvent(t, daemon, (event) => event.event === 'prefetch.started');
  await daemon.request('prefetch', { models: [{ category: 'checkpoints', name: 'doomed.safetensors' }] });
  await seen;
  fs.rmSync(source);
  // Either the copy fails, or it lands and the library's removal event drops it at once.
  await eventually(
    async () => (await daemon.status()).library.models === 0 && (await cachedKeys(daemon)).length === 0,
    30_000,
    'the library and cache to forget it',
  );
  await eventually(() => visibleCacheFiles(cacheRoot).size === 0, 10_000, 'no file visible');
  // A deleted file stays readable through an open handle, so the copy may run to its end before it fails: wait for that.
  await eventually(() => fs.readdirSync(path.join(cacheRoot, '.arena', 'staging')).length === 0, 30_000, 'staging emptied');
  t.deepEqual([...visibleCacheFiles(cacheRoot).keys()], [], 'and nothing became visible meanwhile');
  t.is((await daemon.status()).pid, daemon.pid);
});

test.serial('the source rewritten during a copy: the half-old copy is discarded and the new version lands', async (t) => {
  const home = await tempDir(t);
  const nas = path.join(home, 'nas');
  const cacheRoot = path.join(home, 'ssd');
  const source = writeModel(path.join(nas, 'loras', 'style.safetensors'), 256 * MB);
  const daemon = await spawnDaemon(t, { home, env: { ARENA_LIBRARY_ROOTS: nas, ARENA_CACHE_ROOT: cacheRoot } });
  await daemon.waitForState((status) => status.library.models === 1, 'the library scanned');
  const { seen } = await onceEvent(t, daemon, (event) => event.event === 'prefetch.started');
  await daemon.request('prefetch', { models: [{ category: 'loras', name: 'style.safetensors' }] });
  await seen;
  // Same size, new bytes: only the mtime (and the content) tell the versions apart.
  const fd = fs.openSync(source, 'r+');
  fs.writeSync(fd, Buffer.alloc(MB, 0x5a), 0, MB, 100 * MB);
  fs.closeSync(fd);
  const newHash = await sha256Of(source);
  await eventually(
    async () => {
      const cached = path.join(cacheRoot, 'loras', 'style.safetensors');
      return fs.existsSync(cached) && (await sha256Of(cached)) === newHash;
    },
    60_000,
    () => `the new version cached (daemon output:\n${daemon.output()})`,
  );
  t.deepEqual(fs.readdirSync(path.join(cacheRoot, '.arena', 'staging')), []);
});

test.serial(
  'a NAS that dies in the middle of a copy: the copy fails cleanly, the daemon is degraded, and all completes when the NAS returns',
  async (t) => {
    await requireBindfs();
    const home = await tempDir(t);
    const backing = path.join(home, 'nas-disk');
    const nas = path.join(home, 'nas');
    fs.mkdirSync(nas);
    const cacheRoot = path.join(home, 'ssd');
    const hash = await sha256Of(writeModel(path.join(backing, 'checkpoints', 'remote.safetensors'), 384 * MB));
    await mountBindfs(backing, nas);
    t.teardown(() => unmount(nas));
    const daemon = await spawnDaemon(t, {
      home,
      env: { ARENA_LIBRARY_ROOTS: nas, ARENA_CACHE_ROOT: cacheRoot, ARENA_LIBRARY_POLL_S: '1' },
    });
    await daemon.waitForState((status) => status.library.models === 1, 'the library scanned');
    const { seen, events } = await onceEvent(t, daemon, (event) => event.event === 'prefetch.progress');
    await daemon.request('prefetch', { models: [{ category: 'checkpoints', name: 'remote.safetensors' }] });
    await seen;
    // The NAS process dies: reads fail with "transport endpoint is not connected", as a dropped network mount does.
    await execa('pkill', ['-KILL', '-f', `bindfs ${backing} ${nas}`]);
    await eventually(() => events.some((event) => event.event === 'prefetch.failed' || event.event === 'prefetch.done'), 30_000, 'the copy to end');
    await unmount(nas);
    if (events.some((event) => event.event === 'prefetch.failed')) {
      t.deepEqual([...visibleCacheFiles(cacheRoot).keys()], [], 'nothing partial visible');
      await daemon.waitForState((status) => status.state === 'degraded' && status.problems.some((p) => p.includes(nas)), 'the root reported missing');
    }
    t.deepEqual(fs.readdirSync(path.join(cacheRoot, '.arena', 'staging')), []);
    await assertNothingPartial(t, cacheRoot, backing, new Map([['checkpoints/remote.safetensors', hash]]));

    await mountBindfs(backing, nas);
    await eventually(
      async () => (await cachedKeys(daemon)).length === 1,
      60_000,
      () => `the copy to complete after the NAS returns (daemon output:\n${daemon.output()})`,
    );
    t.is(await sha256Of(path.join(cacheRoot, 'checkpoints', 'remote.safetensors')), hash);
    await daemon.waitForState((status) => status.state === 'ready', 'the root problem to clear');
  },
);

test.serial('SIGTERM during a copy: the copy is cancelled with nothing partial left, exit 0, and the next start completes it', async (t) => {
  const home = await tempDir(t);
  const nas = path.join(home, 'nas');
  const cacheRoot = path.join(home, 'ssd');
  const hash = await sha256Of(writeModel(path.join(nas, 'checkpoints', 'long.safetensors'), 512 * MB));
  const env = { ARENA_LIBRARY_ROOTS: nas, ARENA_CACHE_ROOT: cacheRoot };
  const daemon = await spawnDaemon(t, { home, env });
  await daemon.waitForState((status) => status.library.models === 1, 'the library scanned');
  const { seen } = await onceEvent(t, daemon, (event) => event.event === 'prefetch.progress');
  await daemon.request('prefetch', { models: [{ category: 'checkpoints', name: 'long.safetensors' }] });
  await seen;
  daemon.signal('SIGTERM');
  t.is(await daemon.exited, 0);
  t.deepEqual([...visibleCacheFiles(cacheRoot).keys()], [], 'the interrupted copy is not visible');
  t.deepEqual(fs.readdirSync(path.join(cacheRoot, '.arena', 'staging')), [], 'its staging file was removed');
  t.regex(daemon.output(), /stopping reason=SIGTERM[\s\S]*stopped/);

  const restarted = await spawnDaemon(t, { home, env });
  await eventually(
    async () => (await cachedKeys(restarted)).length === 1,
    60_000,
    () => `the saved job to complete (output:\n${restarted.output()})`,
  );
  t.is(await sha256Of(path.join(cacheRoot, 'checkpoints', 'long.safetensors')), hash);
});
