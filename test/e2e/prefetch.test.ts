import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import type { LsEntry, PrefetchOutcome, StatsResult } from '../../src/control/contract/cache.js';
import { spawnDaemon, type DaemonHandle } from '../helpers/daemon-process.js';
import { arenactl } from '../helpers/cli-run.js';
import { sha256Of, visibleCacheFiles, writeModel } from '../helpers/model-files.js';
import { eventually } from '../helpers/raw-socket.js';
import { tempDir } from '../helpers/temp-dir.js';

const MB = 1024 * 1024;

interface Setup {
  home: string;
  nas: string;
  cacheRoot: string;
  daemon: DaemonHandle;
  env: NodeJS.ProcessEnv;
}

async function setup(t: import('ava').ExecutionContext, env: NodeJS.ProcessEnv = {}, models: Record<string, number> = {}): Promise<Setup> {
  const home = await tempDir(t);
  const nas = path.join(home, 'nas');
  for (const [key, bytes] of Object.entries(models)) writeModel(path.join(nas, key), bytes);
  const cacheRoot = path.join(home, 'ssd');
  const daemon = await spawnDaemon(t, { home, env: { ARENA_LIBRARY_ROOTS: nas, ARENA_CACHE_ROOT: cacheRoot, ...env } });
  await daemon.waitForState((status) => status.library.models === Object.keys(models).length, 'the library scanned');
  return { home, nas, cacheRoot, daemon, env: { ARENA_SOCKET: daemon.socketPath } };
}

async function lsEntries(daemon: DaemonHandle): Promise<readonly LsEntry[]> {
  return (await daemon.request('ls')).entries;
}

async function waitCached(daemon: DaemonHandle, keys: string[]): Promise<void> {
  await eventually(
    async () => {
      const cached = new Set((await lsEntries(daemon)).filter((entry) => entry.state === 'cached').map((entry) => entry.key));
      return keys.every((key) => cached.has(key));
    },
    30_000,
    () => `${keys.join(', ')} cached (daemon output:\n${daemon.output()})`,
  );
}

test('arenactl prefetch --wait copies a model byte-identical; ls and stats report it', async (t) => {
  const s = await setup(t, {}, { 'checkpoints/sdxl.safetensors': 48 * MB, 'loras/style.safetensors': 4 * MB });
  const result = await arenactl(['prefetch', 'checkpoints/sdxl.safetensors', '--wait', '--json'], s.home, s.env);
  t.is(result.code, 0, result.stderr);
  const body = result.json<{ outcomes: PrefetchOutcome[]; results: Array<{ key: string; status: string }> }>();
  t.like(body.outcomes[0], { key: 'checkpoints/sdxl.safetensors', status: 'queued', bytes: 48 * MB });
  t.deepEqual(
    body.results.map((r) => [r.key, r.status]),
    [['checkpoints/sdxl.safetensors', 'done']],
  );
  t.is(
    await sha256Of(path.join(s.cacheRoot, 'checkpoints', 'sdxl.safetensors')),
    await sha256Of(path.join(s.nas, 'checkpoints', 'sdxl.safetensors')),
  );

  const ls = await arenactl(['ls', '--json'], s.home, s.env);
  t.like(ls.json<{ entries: LsEntry[] }>().entries[0], {
    category: 'checkpoints',
    name: 'sdxl.safetensors',
    bytes: 48 * MB,
    state: 'cached',
    pinned: false,
    hits: 0,
  });
  const stats = (await arenactl(['stats', '--json'], s.home, s.env)).json<StatsResult>();
  t.like(stats, {
    hits: 0,
    misses: 0,
    cache: { bytes: 48 * MB, files: 1 },
    prefetch: { completed: 1, failed: 0, bytesCopied: 48 * MB },
    evictions: 0,
  });
  t.deepEqual(fs.readdirSync(path.join(s.cacheRoot, '.arena', 'staging')), []);
});

test('pin, unpin and evict through arenactl', async (t) => {
  const s = await setup(t, {}, { 'loras/a.safetensors': 2 * MB });
  const pin = await arenactl(['pin', 'loras/a.safetensors'], s.home, s.env);
  t.is(pin.code, 0, pin.stderr);
  await waitCached(s.daemon, ['loras/a.safetensors']);
  t.true((await lsEntries(s.daemon))[0]!.pinned);
  t.is((await arenactl(['unpin', 'loras/a.safetensors'], s.home, s.env)).stdout, 'unpinned loras/a.safetensors\n');
  t.false((await lsEntries(s.daemon))[0]!.pinned);
  const evict = await arenactl(['evict', 'loras/a.safetensors'], s.home, s.env);
  t.is(evict.stdout, 'evicted loras/a.safetensors (2.1 MB freed)\n');
  t.deepEqual(await lsEntries(s.daemon), []);
  t.false(fs.existsSync(path.join(s.cacheRoot, 'loras', 'a.safetensors')));
  t.true(fs.existsSync(path.join(s.nas, 'loras', 'a.safetensors')));

  const outside = await arenactl(['evict', 'loras/../../etc/passwd', '--json'], s.home, s.env);
  t.is(outside.code, 1);
  t.is(outside.json<{ error: { code: string } }>().error.code, 'E_PATH');
  const missing = await arenactl(['unpin', 'loras/nothing.safetensors'], s.home, s.env);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /loras\/nothing\.safetensors is neither cached nor queued/);
});

test('a changed NAS file removes the cached copy at once and the new version is copied', async (t) => {
  const s = await setup(t, {}, { 'loras/style.safetensors': 4 * MB });
  await arenactl(['prefetch', 'loras/style.safetensors', '--wait'], s.home, s.env);
  await waitCached(s.daemon, ['loras/style.safetensors']);
  const source = path.join(s.nas, 'loras', 'style.safetensors');
  writeModel(source, 3 * MB, 0);
  const expected = await sha256Of(source);
  const cached = path.join(s.cacheRoot, 'loras', 'style.safetensors');
  // The old copy may be removed between a look and a read: that is the drop this test waits through.
  const cachedHash = () => sha256Of(cached).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : Promise.reject(error)));
  await eventually(
    async () => (await cachedHash()) === expected,
    30_000,
    () => `the new version cached (daemon output:\n${s.daemon.output()})`,
  );
  t.regex(s.daemon.output(), /dropped the cached copy of loras\/style\.safetensors after a library change: its library file changed/);
});

test('cache.enable=false: the daemon watches and reports but copies nothing', async (t) => {
  const s = await setup(t, { ARENA_CACHE_ENABLE: 'false' }, { 'loras/a.safetensors': MB });
  const result = await arenactl(['prefetch', 'loras/a.safetensors', '--json'], s.home, s.env);
  t.is(result.code, 0);
  t.like(result.json<{ outcomes: PrefetchOutcome[] }>().outcomes[0], { status: 'skipped', reason: 'disabled' });
  t.deepEqual([...visibleCacheFiles(s.cacheRoot).keys()], []);
  const status = await s.daemon.status();
  t.is(status.state, 'ready');
  t.regex(status.summary, /copying off/);
  t.like(await s.daemon.request('stats'), { prefetch: { completed: 0 } });
});

test('prefetch of a name that is not in the library says so; one outside the library is E_PATH', async (t) => {
  const s = await setup(t, {}, { 'loras/a.safetensors': MB });
  const missing = await arenactl(['prefetch', 'loras/zzz.safetensors'], s.home, s.env);
  t.is(missing.code, 1, 'a model named on the command line that is not there is an error');
  t.is(missing.stdout, '');
  t.regex(missing.stderr, /^arenactl: loras\/zzz\.safetensors is not in the library[^\n]*\n$/);
  const json = await arenactl(['prefetch', 'loras/zzz.safetensors', 'loras/a.safetensors', '--json'], s.home, s.env);
  t.is(json.code, 1);
  const body = json.json<{ error: { code: string; message: string }; outcomes: PrefetchOutcome[] }>();
  t.is(body.error.code, 'E_NOT_FOUND');
  t.regex(body.error.message, /^loras\/zzz\.safetensors is not in the library/);
  t.like(body.outcomes[1], { key: 'loras/a.safetensors', status: 'queued' });
  const error = await s.daemon
    .request('prefetch', { models: [{ category: 'loras', name: '../../../etc/shadow' }] })
    .catch((e: Error & { code: string }) => e);
  t.is((error as { code: string }).code, 'E_PATH');
  const absolute = await s.daemon
    .request('prefetch', { models: [{ category: 'loras', name: '/etc/shadow' }] })
    .catch((e: Error & { code: string }) => e);
  t.is((absolute as { code: string }).code, 'E_PATH');
});

test('ls explains why each model is kept', async (t) => {
  const s = await setup(t, {}, { 'loras/a.safetensors': MB, 'loras/b.safetensors': MB });
  await arenactl(['pin', 'loras/a.safetensors'], s.home, s.env);
  await arenactl(['prefetch', 'loras/b.safetensors', '--wait'], s.home, s.env);
  await waitCached(s.daemon, ['loras/a.safetensors', 'loras/b.safetensors']);
  const json = (await arenactl(['ls', '--json'], s.home, s.env)).json<{ entries: LsEntry[] }>().entries;
  t.deepEqual(
    json.map((entry) => [entry.key, entry.value, entry.reason]),
    [
      ['loras/a.safetensors', null, 'pinned'],
      ['loras/b.safetensors', json[1]!.value, json[1]!.reason],
    ],
  );
  t.regex(json[1]!.reason!, /^wanted by arenactl prefetch loras\/b\.safetensors, \d+s ago$/);
  const human = await arenactl(['ls'], s.home, s.env);
  t.regex(human.stdout, /WHY\n/);
  t.regex(human.stdout, /cached\s+loras\/a\.safetensors\s+1\.0 MB\s+pinned\s+0\s+-\s+pinned\n/);
});
