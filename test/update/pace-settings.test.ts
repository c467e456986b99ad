import path from 'node:path';
import test from 'ava';
import { ConfigError } from '../../src/config/errors.js';
import { EnvFileCache } from '../../src/config/env-file.js';
import { loadConfig } from '../../src/config/load-config.js';
import { updateSettingsOf } from '../../src/update/index.js';
import { testPlatform, writeFile } from '../helpers/platform.js';
import { tempDir } from '../helpers/temp-dir.js';

test('updates.stallTimeout and updates.minRate default to 60 s and 100 kB/s, and reach the updater', async (t) => {
  const home = await tempDir(t);
  const { config } = loadConfig({ platform: testPlatform(home), envFileCache: new EnvFileCache() });
  t.like(updateSettingsOf(config), { stallTimeout: 60, minRate: 100_000 });
});

test('the config file and the environment set them as people write them', async (t) => {
  const home = await tempDir(t);
  const file = writeFile(path.join(home, 'config.yaml'), 'updates:\n  stallTimeout: 2m\n  minRate: 1.5MB/s\n');
  const fromFile = loadConfig({ platform: testPlatform(home), configFile: file, envFileCache: new EnvFileCache() });
  t.like(updateSettingsOf(fromFile.config), { stallTimeout: 120, minRate: 1_500_000 });

  const fromEnv = loadConfig({
    platform: testPlatform(home, { ARENA_UPDATE_STALL_TIMEOUT: '45s', ARENA_UPDATE_MIN_RATE: 'off' }),
    configFile: file,
    envFileCache: new EnvFileCache(),
  });
  t.like(updateSettingsOf(fromEnv.config), { stallTimeout: 45, minRate: 0 });
  t.like(
    updateSettingsOf(loadConfig({ platform: testPlatform(home, { ARENA_UPDATE_MIN_RATE: '250000' }), envFileCache: new EnvFileCache() }).config),
    {
      minRate: 250_000,
    },
  );
});

test('a bad rate or timeout is refused with the key, the value, where it came from and what was expected', async (t) => {
  const home = await tempDir(t);
  const file = writeFile(path.join(home, 'config.yaml'), 'updates:\n  minRate: fast\n  stallTimeout: 0.5s\n');
  const error = t.throws(() => loadConfig({ platform: testPlatform(home), configFile: file, envFileCache: new EnvFileCache() }), {
    instanceOf: ConfigError,
  });
  const messages = error.problems.map((problem) => problem.message).join('\n');
  t.regex(
    messages,
    new RegExp(
      `updates\\.minRate = "fast" \\(from [^)]*${file}:2\\): expected a rate such as 100kB/s, 2MB/s or a number of bytes per second; 0 or off for none`,
    ),
  );
  t.regex(messages, new RegExp(`updates\\.stallTimeout = "0\\.5s" \\(from [^)]*${file}:3\\): the shortest interval is 1 second`));

  const env = t.throws(() => loadConfig({ platform: testPlatform(home, { ARENA_UPDATE_MIN_RATE: '-5kB/s' }), envFileCache: new EnvFileCache() }), {
    instanceOf: ConfigError,
  });
  t.regex(env.problems[0]!.message, /^updates\.minRate = "-5kB\/s" \(from environment ARENA_UPDATE_MIN_RATE\): a size cannot be negative/);
});
