import test from 'ava';
import { loadConfig } from '../../src/config/load-config.js';
import { ConfigChanges } from '../../src/daemon/config-changes.js';
import { testPlatform } from '../helpers/platform.js';
import { tempDir } from '../helpers/temp-dir.js';

async function configs(t: Parameters<typeof tempDir>[0], running: NodeJS.ProcessEnv, next: NodeJS.ProcessEnv) {
  const home = await tempDir(t);
  const load = (env: NodeJS.ProcessEnv) => loadConfig({ platform: testPlatform(home, env), configFile: null }).config;
  return { platform: testPlatform(home), running: load(running), next: load(next) };
}

test('an unchanged configuration changes nothing and keeps every value', async (t) => {
  const { platform, running, next } = await configs(t, { ARENA_CACHE_MAX_GB: '64' }, { ARENA_CACHE_MAX_GB: '64' });
  const change = new ConfigChanges(platform).between(running, next);
  t.deepEqual(change, { changed: [], pending: [], config: next });
});

test('a live key takes its new value; a restart-only key is named as pending and keeps the running value', async (t) => {
  const { platform, running, next } = await configs(
    t,
    { ARENA_CACHE_MAX_GB: '64', ARENA_SOCKET: '/run/arena/old.sock' },
    { ARENA_CACHE_MAX_GB: '32', ARENA_SOCKET: '/run/arena/new.sock' },
  );
  const change = new ConfigChanges(platform).between(running, next);
  t.deepEqual([...change.changed].sort(), ['cache.maxBytes', 'control.socket']);
  t.deepEqual(change.pending, ['control.socket']);
  t.is(change.config.cache.maxBytes, next.cache.maxBytes);
  t.is(change.config.control.socket, '/run/arena/old.sock');
  t.is(next.control.socket, '/run/arena/new.sock', 'the new configuration itself is left as it was read');
});

test('a list that changes inside is a change, compared by value', async (t) => {
  const { platform, running, next } = await configs(t, { ARENA_LIBRARY_ROOTS: '/nas/a' }, { ARENA_LIBRARY_ROOTS: '/nas/a:/nas/b' });
  t.deepEqual(new ConfigChanges(platform).between(running, next).changed, ['library.roots']);
});
