import fs from 'node:fs';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { parse } from 'yaml';
import type { LegacySetting } from '../../src/comfy/legacy-settings.js';
import type { MigrationReport } from '../../src/comfy/migrate.js';
import { loadConfig } from '../../src/config/load-config.js';
import { GIB, MIB } from '../../src/config/schema.js';
import { arenactl } from '../helpers/cli-run.js';
import { ENV_FILE_ERAS, legacyComfy, oldCustomNode, writeText, type LegacyComfy } from '../helpers/legacy-comfy.js';
import { testPlatform } from '../helpers/platform.js';
import { tempDir } from '../helpers/temp-dir.js';

interface Setup {
  readonly legacy: LegacyComfy;
  readonly env: NodeJS.ProcessEnv;
}

async function setup(t: ExecutionContext, envFile: string, env: NodeJS.ProcessEnv = {}): Promise<Setup> {
  const legacy = legacyComfy(await tempDir(t));
  writeText(legacy.envFile, envFile);
  return { legacy, env: { ARENA_SOCKET: path.join(legacy.home, 'run', 'arenad.sock'), ...env } };
}

async function migrate(s: Setup, ...flags: string[]): Promise<MigrationReport> {
  const result = await arenactl(['migrate', '--from', s.legacy.comfy, '--config', s.legacy.configFile, '--json', ...flags], s.legacy.home, s.env);
  if (result.code !== 0) throw new Error(`migrate exited ${result.code}: ${result.stderr}`);
  return result.json<MigrationReport>();
}

function verdicts(report: MigrationReport): Record<string, Pick<LegacySetting, 'status' | 'key' | 'configValue'> & { reason: string }> {
  return Object.fromEntries(
    report.settings.map((setting) => [
      `${setting.variable}@${setting.source === 'environment' ? 'env' : 'file'}`,
      { status: setting.status, key: setting.key, configValue: setting.configValue, reason: setting.reason },
    ]),
  );
}

function written(s: Setup): Record<string, Record<string, unknown>> {
  return parse(fs.readFileSync(s.legacy.configFile, 'utf8')) as Record<string, Record<string, unknown>>;
}

/** What the daemon will run with: the written file, the env file moved aside, this environment. */
function effective(s: Setup) {
  return loadConfig({ platform: testPlatform(s.legacy.home, s.env), configFile: s.legacy.configFile });
}

test('early era: root, sizes in binary units, verbose, categories with override, both switches', async (t) => {
  const s = await setup(t, '');
  const ssd = path.join(s.legacy.home, 'ssd');
  writeText(s.legacy.envFile, ENV_FILE_ERAS.early(ssd));
  const report = await migrate(s);
  const v = verdicts(report);
  t.like(v['ARENA_CACHE_ROOT@file'], { status: 'mapped', key: 'cache.root', configValue: ssd });
  t.like(v['ARENA_CACHE_MIN_SIZE_MB@file'], { status: 'mapped', key: 'cache.minFileBytes', configValue: '50MiB' });
  t.like(v['ARENA_CACHE_MAX_GB@file'], { status: 'mapped', key: 'cache.maxBytes', configValue: '100GiB' });
  t.regex(v['ARENA_CACHE_MAX_GB@file']!.reason, /1024/);
  t.like(v['ARENA_CACHE_VERBOSE@file'], { status: 'mapped', key: 'log.level', configValue: 'debug' });
  t.like(v['ARENA_CACHE_CATEGORIES@file'], { status: 'mapped', key: 'cache.categories', configValue: ['checkpoints', 'loras'] });
  t.like(v['ARENA_CACHE_CATEGORIES_MODE@file'], { status: 'mapped', key: 'cache.categories' });
  t.like(v['ARENA_AUTO_CACHE_ENABLED@file'], { status: 'dropped' });
  t.regex(v['ARENA_AUTO_CACHE_ENABLED@file']!.reason, /the old nodes' own switch/);
  t.like(v['ARENA_AUTOCACHE_AUTOPATCH@file'], { status: 'dropped' });
  t.regex(v['ARENA_AUTOCACHE_AUTOPATCH@file']!.reason, /comfy link/);
  t.is(report.settings.length, 8);

  t.deepEqual(written(s), {
    cache: { root: ssd, minFileBytes: '50MiB', maxBytes: '100GiB', categories: ['checkpoints', 'loras'] },
    log: { level: 'debug' },
  });
  const { config } = effective(s);
  t.is(config.cache.maxBytes, 100 * GIB);
  t.is(config.cache.minFileBytes, 50 * MIB);
  t.is(config.cache.root, ssd);
  t.is(config.log.level, 'debug');
  t.false(fs.existsSync(s.legacy.envFile));
  t.is(fs.readFileSync(report.envFileMovedTo!, 'utf8'), ENV_FILE_ERAS.early(ssd));
  t.regex(report.envFileMovedTo!, /arena_autocache\.env\.migrated-\d{8}T\d{6}Z$/);
  t.deepEqual(report.config.check, []);
});

test('middle era: the current switch wins over the old one, GB minimum, NAS root, categories extended', async (t) => {
  const s = await setup(t, '');
  const nas = path.join(s.legacy.home, 'nas');
  fs.mkdirSync(nas);
  writeText(s.legacy.envFile, ENV_FILE_ERAS.middle(nas));
  const report = await migrate(s);
  const v = verdicts(report);
  t.like(v['ARENA_CACHE_ENABLE@file'], { status: 'mapped', key: 'cache.enable', configValue: true });
  t.like(v['ARENA_AUTO_CACHE_ENABLED@file'], { status: 'dropped' });
  t.regex(v['ARENA_AUTO_CACHE_ENABLED@file']!.reason, /the old nodes' own switch/);
  t.like(v['ARENA_CACHE_MIN_SIZE_GB@file'], { status: 'mapped', key: 'cache.minFileBytes', configValue: '1GiB' });
  t.like(v['ARENA_NAS_ROOT@file'], { status: 'mapped', key: 'library.roots', configValue: [nas] });
  t.like(v['ARENA_CACHE_MODE@file'], { status: 'dropped' });
  t.regex(v['ARENA_CACHE_MODE@file']!.reason, /ahead of time/);
  t.like(v['ARENA_CACHE_CATEGORIES_MODE@file'], { status: 'mapped', key: 'cache.categories' });
  const { config } = effective(s);
  // extend: the old nodes' default categories plus gguf_models, in ComfyUI's names (clip is text_encoders).
  t.deepEqual([...config.cache.categories].sort(), [
    'checkpoints',
    'controlnet',
    'diffusion_models',
    'embeddings',
    'gguf_models',
    'hypernetworks',
    'loras',
    'text_encoders',
    'upscale_models',
    'vae',
  ]);
  t.deepEqual(config.library.roots, [nas]);
  t.true(config.cache.enable);
  t.is(config.cache.minFileBytes, GIB);
});

test('late era: a Windows cache root, strategies, an unknown variable and a bad size are dropped, each with why', async (t) => {
  const s = await setup(t, ENV_FILE_ERAS.late());
  const report = await migrate(s);
  const v = verdicts(report);
  t.like(v['ARENA_CACHE_ROOT@file'], { status: 'dropped' });
  t.regex(v['ARENA_CACHE_ROOT@file']!.reason, /Windows path, not usable on this system/);
  t.like(v['ARENA_CACHE_MAX_CONCURRENCY@file'], { status: 'mapped', key: 'prefetch.concurrency', configValue: 4 });
  for (const name of ['ARENA_CACHE_DISCOVERY', 'ARENA_CACHE_PREFETCH_STRATEGY', 'ARENA_AUTOCACHE_AUTOPATCH_TIMEOUT_S', 'ARENA_CACHE_VERBOSE']) {
    t.like(v[`${name}@file`], { status: 'dropped' }, name);
  }
  t.regex(v['ARENA_CACHE_VERBOSE@file']!.reason, /default/);
  t.regex(v['ARENA_DISABLE_PATH_PATCHING@file']!.reason, /neither arenad nor the old nodes know/);
  t.like(v['ARENA_CACHE_MAX_GB@file'], { status: 'dropped' });
  t.regex(v['ARENA_CACHE_MAX_GB@file']!.reason, /not a valid value for cache\.maxBytes/);
  t.deepEqual(written(s), { prefetch: { concurrency: 4 } });
  const { config } = effective(s);
  t.is(config.prefetch.concurrency, 4);
  t.is(config.cache.root, path.join(s.legacy.home, '.cache', 'arena'));
});

test('the environment wins over the env file, as in the daemon, and the report says which line lost', async (t) => {
  const s = await setup(t, 'ARENA_CACHE_MAX_GB=100\nARENA_CACHE_VERBOSE=true\n', { ARENA_CACHE_MAX_GB: '200', PATH: '/usr/bin' });
  const report = await migrate(s);
  const v = verdicts(report);
  t.like(v['ARENA_CACHE_MAX_GB@env'], { status: 'mapped', configValue: '200GiB' });
  t.like(v['ARENA_CACHE_MAX_GB@file'], { status: 'dropped' });
  t.regex(v['ARENA_CACHE_MAX_GB@file']!.reason, /set by ARENA_CACHE_MAX_GB \(environment\), which wins/);
  t.false(report.settings.some((setting) => setting.variable === 'PATH'));
  t.is(written(s).cache!.maxBytes, '200GiB');
  t.true(report.nextSteps.some((step) => /This shell still sets ARENA_CACHE_MAX_GB/.test(step)));
});

test('an existing config file keeps its comments and other keys, gets a backup, and a second run changes nothing', async (t) => {
  const s = await setup(t, 'ARENA_CACHE_MAX_GB=64\nARENA_CACHE_MAX_CONCURRENCY=3\n');
  const original = '# my settings\ncomfy:\n  url: http://10.0.0.2:8188  # the GPU box\ncache:\n  maxBytes: 10GB\n';
  writeText(s.legacy.configFile, original);
  const report = await migrate(s);
  t.is(report.config.action, 'updated');
  t.is(fs.readFileSync(report.config.backup!, 'utf8'), original);
  t.like(
    report.config.changes.find((change) => change.key === 'cache.maxBytes'),
    { action: 'set', value: '64GiB', previous: '10GB', origin: 'ARENA_CACHE_MAX_GB' },
  );
  const text = fs.readFileSync(s.legacy.configFile, 'utf8');
  t.true(text.includes('# my settings'));
  t.true(text.includes('# the GPU box'));
  // ~/ComfyUI is comfy.root's default, so --from adds nothing for it.
  t.deepEqual(parse(text), { comfy: { url: 'http://10.0.0.2:8188' }, cache: { maxBytes: '64GiB' }, prefetch: { concurrency: 3 } });

  // The env file is gone now; writing it again with the same settings changes nothing.
  writeText(s.legacy.envFile, 'ARENA_CACHE_MAX_GB=64\nARENA_CACHE_MAX_CONCURRENCY=3\n');
  const again = await migrate(s);
  t.is(again.config.action, 'unchanged');
  t.is(again.config.backup, null);
  t.is(fs.readFileSync(s.legacy.configFile, 'utf8'), text);
});

test('--dry-run writes nothing and moves nothing, and says what it would write', async (t) => {
  const s = await setup(t, 'ARENA_CACHE_MAX_GB=64\n');
  const result = await arenactl(['migrate', '--from', s.legacy.comfy, '--config', s.legacy.configFile, '--dry-run'], s.legacy.home, s.env);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /dry run: nothing is changed/);
  t.regex(result.stdout, /mapped\s+ARENA_CACHE_MAX_GB=64 → cache\.maxBytes: 64GiB\n\s+a bare number counts in GiB/);
  t.regex(result.stdout, /config: would write/);
  t.false(fs.existsSync(s.legacy.configFile));
  t.true(fs.existsSync(s.legacy.envFile));
});

test('the old custom node is found, with how to turn its patching off', async (t) => {
  const s = await setup(t, 'ARENA_AUTO_CACHE_ENABLED=1\n');
  const old = oldCustomNode(s.legacy);
  const report = await migrate(s, '--dry-run');
  t.deepEqual(report.oldNodes, [{ path: old, disabled: false }]);
  const advice = report.nextSteps.join('\n');
  t.regex(advice, /ARENA_AUTO_CACHE_ENABLED=0/);
  t.regex(advice, /arenactl comfy install-nodes --disable-old/);
  t.regex(advice, /arenactl comfy link/);
});

test('no ComfyUI to migrate from fails with what to do', async (t) => {
  const home = await tempDir(t);
  const result = await arenactl(['migrate', '--from', path.join(home, 'nothing'), '--json'], home, {
    ARENA_SOCKET: path.join(home, 'run', 'x.sock'),
  });
  t.is(result.code, 1);
  t.like(result.json(), { error: { code: 'E_COMFY_ROOT' } });
});
