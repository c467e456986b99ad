import test from 'ava';
import { configReport, reportedConfig } from '../../src/config/config-report.js';
import { EnvFileCache } from '../../src/config/env-file.js';
import { loadConfig } from '../../src/config/load-config.js';
import { tempDir } from '../helpers/temp-dir.js';
import { testPlatform } from '../helpers/platform.js';

test('a reported configuration, once through JSON, is typed again; one of another shape is not trusted', async (t) => {
  const home = await tempDir(t);
  const platform = testPlatform(home, { ARENA_CACHE_MAX_GB: '100', ARENA_CACHE_MIN_FREE_GB: '20' });
  const loaded = loadConfig({ platform, envFileCache: new EnvFileCache() });
  const wire = JSON.parse(JSON.stringify(configReport(loaded, 'daemon'))) as ReturnType<typeof configReport>;
  t.deepEqual(wire.environment, { ARENA_CACHE_MAX_GB: '100', ARENA_CACHE_MIN_FREE_GB: '20' });
  t.is(wire.cwd, home);
  t.deepEqual(reportedConfig(wire.config, platform), loaded.config);

  const older: Record<string, Record<string, unknown>> = structuredClone(wire.config);
  delete older.cache!.lowWater;
  t.is(reportedConfig(older, platform), undefined, 'a key missing');
  const odd: Record<string, Record<string, unknown>> = structuredClone(wire.config);
  odd.cache!.maxBytes = '100GB';
  t.is(reportedConfig(odd, platform), undefined, 'a value of another kind');
});
