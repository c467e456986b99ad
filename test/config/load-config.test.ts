import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { loadConfig } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/config/errors.js';
import { describeSource } from '../../src/config/sources.js';
import { EnvFileCache } from '../../src/config/env-file.js';
import { GIB, MIB } from '../../src/config/schema.js';
import { tempDir } from '../helpers/temp-dir.js';
import { testPlatform, writeFile } from '../helpers/platform.js';

function configError(t: import('ava').ExecutionContext, run: () => unknown): ConfigError {
  const error = t.throws(run, { instanceOf: ConfigError });
  return error;
}

test("without XDG_RUNTIME_DIR, the socket goes to the user's runtime folder when it exists, and to /tmp only when it does not", async (t) => {
  const home = await tempDir(t);
  const withRuntime = { ...testPlatform(home), exists: (file: string) => file === '/run/user/4242' || fs.existsSync(file) };
  t.is(loadConfig({ platform: withRuntime, envFileCache: new EnvFileCache() }).config.control.socket, '/run/user/4242/arena/arenad.sock');
  t.is(loadConfig({ platform: testPlatform(home), envFileCache: new EnvFileCache() }).config.control.socket, '/tmp/arena-4242/arenad.sock');
});

test('with nothing configured, every key has its default and says so', async (t) => {
  const home = await tempDir(t);
  const loaded = loadConfig({ platform: testPlatform(home), envFileCache: new EnvFileCache() });
  t.is(loaded.config.comfy.root, '', 'no ~/ComfyUI: no comfy root');
  t.is(loaded.config.cache.root, path.join(home, '.cache', 'arena'));
  t.is(loaded.config.control.socket, '/tmp/arena-4242/arenad.sock');
  t.is(loaded.config.state.dir, path.join(home, '.local', 'state', 'arena'));
  t.is(loaded.config.cache.minFreeBytes, '5%');
  t.is(loaded.config.cache.trimSchedule, '0 4 * * *');
  t.is(loaded.config.prefetch.verify, 'sha256');
  t.is(loaded.config.metrics.listen, '127.0.0.1:9777');
  t.is(loaded.configFile, undefined);
  t.true([...loaded.sources.values()].every((source) => source.kind === 'default'));
});

test('defaults follow ~/ComfyUI, systemd directories and XDG variables', async (t) => {
  const home = await tempDir(t);
  fs.mkdirSync(path.join(home, 'ComfyUI'));
  const systemd = loadConfig({
    platform: testPlatform(home, {
      RUNTIME_DIRECTORY: '/run/arena',
      STATE_DIRECTORY: '/var/lib/arena:/var/lib/other',
      CACHE_DIRECTORY: '/var/cache/arena',
    }),
    envFileCache: new EnvFileCache(),
  });
  t.is(systemd.config.comfy.root, path.join(home, 'ComfyUI'));
  t.is(systemd.config.control.socket, '/run/arena/arenad.sock');
  t.is(systemd.config.state.dir, '/var/lib/arena');
  t.is(systemd.config.cache.root, '/var/cache/arena');
  const xdg = loadConfig({
    platform: testPlatform(home, { XDG_RUNTIME_DIR: '/run/user/4242', XDG_CACHE_HOME: '/xdg/cache', XDG_STATE_HOME: '/xdg/state' }),
    envFileCache: new EnvFileCache(),
  });
  t.is(xdg.config.control.socket, '/run/user/4242/arena/arenad.sock');
  t.is(xdg.config.cache.root, '/xdg/cache/arena');
  t.is(xdg.config.state.dir, '/xdg/state/arena');
});

test('sources apply in order: file, then env file, then environment, then flags, and each value names its source', async (t) => {
  const home = await tempDir(t);
  const comfy = path.join(home, 'ComfyUI');
  const configFile = writeFile(
    path.join(home, '.config', 'arena', 'config.yaml'),
    [
      `comfy:`,
      `  root: ${comfy}`,
      `cache:`,
      `  maxBytes: 100GB`,
      `  minFileBytes: 1MB`,
      `  trimSchedule: "0 3 * * *"`,
      `prefetch:`,
      `  concurrency: 3`,
      `log:`,
      `  level: warn`,
    ].join('\n'),
  );
  const envFile = writeFile(
    path.join(comfy, 'user', 'arena_autocache.env'),
    ['# old settings', 'ARENA_CACHE_MAX_GB=200', 'ARENA_CACHE_MIN_SIZE_MB=10', 'ARENA_PREFETCH_CONCURRENCY=4'].join('\n'),
  );
  const loaded = loadConfig({
    platform: testPlatform(home, { ARENA_CACHE_MAX_GB: '300', ARENA_PREFETCH_CONCURRENCY: '5' }),
    flags: [{ key: 'prefetch.concurrency', value: '6' }],
    envFileCache: new EnvFileCache(),
  });
  t.is(loaded.configFile, configFile);
  t.is(loaded.envFile, envFile);
  t.is(loaded.config.log.level, 'warn');
  t.is(describeSource(loaded.sources.get('log.level')!), `${configFile}:10`);
  t.is(loaded.config.cache.trimSchedule, '0 3 * * *');
  t.is(loaded.config.cache.minFileBytes, 10 * MIB, 'the env file overrides the config file');
  t.is(describeSource(loaded.sources.get('cache.minFileBytes')!), `${envFile}:3 (ARENA_CACHE_MIN_SIZE_MB)`);
  t.is(loaded.config.cache.maxBytes, 300 * GIB, 'the environment overrides the env file');
  t.is(describeSource(loaded.sources.get('cache.maxBytes')!), 'environment ARENA_CACHE_MAX_GB');
  t.is(loaded.config.prefetch.concurrency, 6, 'flags override everything');
  t.is(describeSource(loaded.sources.get('prefetch.concurrency')!), 'flag --prefetch.concurrency');
  t.is(describeSource(loaded.sources.get('cache.enable')!), 'default');
});

test('a JSON config file works like YAML, and --config beats ARENA_CONFIG', async (t) => {
  const home = await tempDir(t);
  const jsonFile = writeFile(path.join(home, 'arena.json'), JSON.stringify({ cache: { maxBytes: 1e11, enable: false } }));
  const otherFile = writeFile(path.join(home, 'other.yaml'), 'cache:\n  maxBytes: 1GB\n');
  const loaded = loadConfig({
    platform: testPlatform(home, { ARENA_CONFIG: otherFile }),
    configFile: jsonFile,
    envFileCache: new EnvFileCache(),
  });
  t.is(loaded.configFile, jsonFile);
  t.is(loaded.config.cache.maxBytes, 1e11);
  t.false(loaded.config.cache.enable);
  const viaEnv = loadConfig({ platform: testPlatform(home, { ARENA_CONFIG: otherFile }), envFileCache: new EnvFileCache() });
  t.is(viaEnv.config.cache.maxBytes, 1e9);
});

test('byte sizes accept decimal and binary units and plain numbers; legacy _GB/_MB keep their binary units', async (t) => {
  const home = await tempDir(t);
  const file = writeFile(path.join(home, 'c.yaml'), 'cache:\n  maxBytes: 1.5TiB\n  minFreeBytes: 500GB\n  minFileBytes: 12345\n');
  const loaded = loadConfig({ platform: testPlatform(home), configFile: file, envFileCache: new EnvFileCache() });
  t.is(loaded.config.cache.maxBytes, 1.5 * 2 ** 40);
  t.is(loaded.config.cache.minFreeBytes, 500e9);
  t.is(loaded.config.cache.minFileBytes, 12345);
  const legacy = loadConfig({
    platform: testPlatform(home, { ARENA_CACHE_MAX_GB: '64', ARENA_CACHE_MIN_SIZE_MB: '10.5', ARENA_CACHE_MIN_FREE_GB: '20' }),
    envFileCache: new EnvFileCache(),
  });
  t.is(legacy.config.cache.maxBytes, 64 * GIB);
  t.is(legacy.config.cache.minFileBytes, Math.floor(10.5 * MIB));
  t.is(legacy.config.cache.minFreeBytes, 20 * GIB);
  const withUnit = loadConfig({ platform: testPlatform(home, { ARENA_CACHE_MAX_GB: '500GB' }), envFileCache: new EnvFileCache() });
  t.is(withUnit.config.cache.maxBytes, 500e9, 'an explicit unit wins over the variable name');
});

test('each bad value is reported once, with key, value, file and line, and what was expected', async (t) => {
  const home = await tempDir(t);
  const file = writeFile(
    path.join(home, 'bad.yaml'),
    [
      'cache:',
      '  enable: maybe',
      '  maxBytes: -5GB',
      '  trimSchedule: "0 25 * * *"',
      'prefetch:',
      '  concurrency: many',
      '  verify: md5',
      'library:',
      '  pollInterval: 0',
    ].join('\n'),
  );
  const error = configError(t, () => loadConfig({ platform: testPlatform(home), configFile: file, envFileCache: new EnvFileCache() }));
  const messages = error.problems.map((problem) => problem.message);
  t.is(messages.length, 6);
  t.true(messages.includes(`cache.enable = "maybe" (from ${file}:2): expected true or false (also 1/0, yes/no, on/off)`));
  t.true(
    messages.includes(
      `cache.maxBytes = "-5GB" (from ${file}:3): a size cannot be negative; expected a size of 0 or more, such as 500GB, 1.5TiB, 64G or a number of bytes`,
    ),
  );
  t.regex(
    messages.find((m) => m.startsWith('cache.trimSchedule'))!,
    new RegExp(`^cache.trimSchedule = "0 25 \\* \\* \\*" \\(from ${file}:4\\): .*expected a cron expression`),
  );
  t.true(messages.includes(`prefetch.concurrency = "many" (from ${file}:6): expected a whole number from 1 to 16`));
  t.true(messages.includes(`prefetch.verify = "md5" (from ${file}:7): expected one of size, sha256`));
  t.regex(
    messages.find((m) => m.startsWith('library.pollInterval'))!,
    /shortest interval is 1 second/,
  );
  t.regex(error.message, /^6 configuration problems:\n/);
});

test('a bad value is reported even where a later source overrides it, so a file is checked whatever the shell sets', async (t) => {
  const home = await tempDir(t);
  const file = writeFile(path.join(home, 'c.yaml'), 'cache:\n  maxBytes: lots\n');
  const error = configError(t, () =>
    loadConfig({ platform: testPlatform(home, { ARENA_CACHE_MAX_GB: '100' }), configFile: file, envFileCache: new EnvFileCache() }),
  );
  t.deepEqual(
    error.problems.map((problem) => problem.message),
    [`cache.maxBytes = "lots" (from ${file}:2): expected a size of 0 or more, such as 500GB, 1.5TiB, 64G or a number of bytes`],
  );
});

test('a cron expression with the wrong number of fields is rejected, not read as a partial schedule', async (t) => {
  const home = await tempDir(t);
  const error = configError(t, () =>
    loadConfig({ platform: testPlatform(home, { ARENA_CACHE_TRIM_CRON: '* * *' }), envFileCache: new EnvFileCache() }),
  );
  t.is(
    error.problems[0]!.message,
    'cache.trimSchedule = "* * *" (from environment ARENA_CACHE_TRIM_CRON): a cron expression has 5 fields (minute hour day month weekday), this has 3; expected a cron expression such as "0 4 * * *" (minute hour day month weekday)',
  );
});

test('a bad environment value names the variable and its unit', async (t) => {
  const home = await tempDir(t);
  const error = configError(t, () => loadConfig({ platform: testPlatform(home, { ARENA_CACHE_MAX_GB: 'lots' }), envFileCache: new EnvFileCache() }));
  t.is(
    error.problems[0]!.message,
    'cache.maxBytes = "lots" (from environment ARENA_CACHE_MAX_GB): expected a size of 0 or more, such as 500GB, 1.5TiB, 64G or a number of bytes (a bare number counts in GiB)',
  );
});

test('malformed YAML is reported with its line', async (t) => {
  const home = await tempDir(t);
  const file = writeFile(path.join(home, 'broken.yaml'), 'cache:\n  maxBytes: 1GB\n   enable: [true\n');
  const error = configError(t, () => loadConfig({ platform: testPlatform(home), configFile: file, envFileCache: new EnvFileCache() }));
  t.regex(error.problems[0]!.message, new RegExp(`^config file ${file}:\\d+ is not valid YAML or JSON: `));
});

test('a section whose keys are all commented out is simply empty', async (t) => {
  const home = await tempDir(t);
  const file = writeFile(path.join(home, 'c.yaml'), 'control:\n  # socket: /x.sock\ncache:\n  maxBytes: 1GB\n');
  const loaded = loadConfig({ platform: testPlatform(home), configFile: file, envFileCache: new EnvFileCache() });
  t.is(loaded.config.cache.maxBytes, 1e9);
  t.is(loaded.sources.get('control.socket')!.kind, 'default');
});

test('a section that is not a mapping, and a file that is a list, are errors', async (t) => {
  const home = await tempDir(t);
  const scalar = writeFile(path.join(home, 'scalar.yaml'), 'cache: 5\n');
  t.regex(
    configError(t, () => loadConfig({ platform: testPlatform(home), configFile: scalar, envFileCache: new EnvFileCache() })).message,
    /"cache" in .*scalar.yaml:1 must be a section of keys/,
  );
  const list = writeFile(path.join(home, 'list.yaml'), '- a\n- b\n');
  t.regex(
    configError(t, () => loadConfig({ platform: testPlatform(home), configFile: list, envFileCache: new EnvFileCache() })).message,
    /must hold a mapping of sections/,
  );
});

test('an unknown key is an error with a suggestion; only a caller looking for the socket may take it as a warning', async (t) => {
  const home = await tempDir(t);
  const file = writeFile(path.join(home, 'typo.yaml'), 'cache:\n  maxByte: 10GB\n  root: /srv/cache\n');
  const error = configError(t, () => loadConfig({ platform: testPlatform(home), configFile: file, envFileCache: new EnvFileCache() }));
  t.deepEqual(
    error.problems.map((problem) => problem.message),
    [`unknown key "cache.maxByte" in ${file}:2 (did you mean cache.maxBytes?)`],
  );
  const lenient = loadConfig({ platform: testPlatform(home), configFile: file, unknownKeys: 'warn', envFileCache: new EnvFileCache() });
  t.is(lenient.config.cache.root, '/srv/cache', 'the good keys still apply');
  t.deepEqual(
    lenient.warnings.map((w) => w.message),
    [`unknown key "cache.maxByte" in ${file}:2 (did you mean cache.maxBytes?)`],
  );
});

test('a config file named explicitly must exist', async (t) => {
  const home = await tempDir(t);
  const missing = path.join(home, 'nope.yaml');
  const error = configError(t, () => loadConfig({ platform: testPlatform(home), configFile: missing, envFileCache: new EnvFileCache() }));
  t.is(error.message, `config file ${missing} cannot be read: it does not exist`);
});

test('paths in a file resolve against its folder; ~ and $VARS expand', async (t) => {
  const home = await tempDir(t);
  const file = writeFile(path.join(home, 'etc', 'arena.yaml'), 'cache:\n  root: ssd/cache\nlibrary:\n  roots: ["~/models", "$NAS/library"]\n');
  const loaded = loadConfig({ platform: testPlatform(home, { NAS: '/mnt/nas' }), configFile: file, envFileCache: new EnvFileCache() });
  t.is(loaded.config.cache.root, path.join(home, 'etc', 'ssd', 'cache'));
  t.deepEqual(loaded.config.library.roots, [path.join(home, 'models'), '/mnt/nas/library']);
  const unset = configError(t, () =>
    loadConfig({ platform: testPlatform(home, { ARENA_CACHE_ROOT: '$NOPE/cache' }), envFileCache: new EnvFileCache() }),
  );
  t.regex(unset.message, /the variable \$NOPE is not set/);
});

test('the legacy AutoCache variables keep working', async (t) => {
  const home = await tempDir(t);
  const comfy = path.join(home, 'ComfyUI');
  writeFile(
    path.join(comfy, 'user', 'arena_autocache.env'),
    [
      '# Arena AutoCache Environment Settings',
      'ARENA_CACHE_ROOT=/ssd/arena_cache',
      'ARENA_CACHE_MIN_SIZE_GB=1',
      'ARENA_AUTO_CACHE_ENABLED=0',
      'ARENA_CACHE_CATEGORIES=Checkpoint,LoRA',
      'ARENA_CACHE_CATEGORIES_MODE=override',
      'ARENA_CACHE_MAX_CONCURRENCY=3',
      'ARENA_CACHE_VERBOSE=1',
      'ARENA_AUTOCACHE_AUTOPATCH=1',
      'ARENA_NAS_ROOT=/mnt/nas/models',
    ].join('\n'),
  );
  const loaded = loadConfig({
    platform: testPlatform(home, { ARENA_COMFY_ROOT: comfy, ARENA_LIBRARY_ROOTS: '/mnt/other' }),
    envFileCache: new EnvFileCache(),
  });
  t.is(loaded.config.cache.root, '/ssd/arena_cache');
  t.is(loaded.config.cache.minFileBytes, GIB);
  t.true(loaded.config.cache.enable, 'ARENA_AUTO_CACHE_ENABLED=0 turns the old nodes off, not Arena');
  t.deepEqual(loaded.config.cache.categories, ['checkpoints', 'loras']);
  t.is(loaded.config.prefetch.concurrency, 3);
  t.is(loaded.config.log.level, 'debug');
  t.deepEqual([...loaded.ignoredLegacy].sort(), ['ARENA_AUTOCACHE_AUTOPATCH', 'ARENA_AUTO_CACHE_ENABLED']);
  t.deepEqual(loaded.config.library.roots, ['/mnt/other'], 'the environment replaces the env file');
  t.deepEqual(loaded.warnings, []);
});

test('legacy category mode "extend" adds the old default categories; ARENA_NAS_ROOT adds to the library roots', async (t) => {
  const home = await tempDir(t);
  const loaded = loadConfig({
    platform: testPlatform(home, {
      ARENA_CACHE_CATEGORIES: 'ipadapter',
      ARENA_CACHE_CATEGORIES_MODE: 'extend',
      ARENA_CACHE_ENABLE: 'true',
      ARENA_AUTO_CACHE_ENABLED: 'false',
      ARENA_NAS_ROOT: '/nas/a',
      ARENA_LIBRARY_ROOTS: '/nas/b:/nas/c',
    }),
    envFileCache: new EnvFileCache(),
  });
  t.true(loaded.config.cache.enable);
  t.true(loaded.config.cache.categories.includes('ipadapter'));
  t.true(loaded.config.cache.categories.includes('checkpoints'));
  t.true(loaded.config.cache.categories.includes('text_encoders'), 'the old "clip" folder name is text_encoders');
  t.true(loaded.config.cache.categories.includes('diffusion_models'));
  t.deepEqual([...loaded.config.library.roots].sort(), ['/nas/a', '/nas/b', '/nas/c']);
  const bad = configError(t, () =>
    loadConfig({ platform: testPlatform(home, { ARENA_CACHE_CATEGORIES_MODE: 'merge' }), envFileCache: new EnvFileCache() }),
  );
  t.regex(bad.message, /ARENA_CACHE_CATEGORIES_MODE = "merge" .*expected extend or override/);
});

test('"all" means every category', async (t) => {
  const home = await tempDir(t);
  const loaded = loadConfig({ platform: testPlatform(home, { ARENA_CACHE_CATEGORIES: 'all' }), envFileCache: new EnvFileCache() });
  t.deepEqual(loaded.config.cache.categories, []);
});

test('an unknown ARENA_ variable is an error naming the variable meant; a malformed env-file line is a warning with its line', async (t) => {
  const home = await tempDir(t);
  const comfy = path.join(home, 'ComfyUI');
  const envFile = writeFile(path.join(comfy, 'user', 'arena_autocache.env'), 'ARENA_CACHE_ROOT=/ssd\nthis is not a setting\n');
  const error = configError(t, () =>
    loadConfig({ platform: testPlatform(home, { ARENA_COMFY_ROOT: comfy, ARENA_CAHCE_ROOT: '/x' }), envFileCache: new EnvFileCache() }),
  );
  t.deepEqual(
    error.problems.map((problem) => problem.message),
    ['unknown variable ARENA_CAHCE_ROOT in the environment (did you mean ARENA_CACHE_ROOT?)'],
  );
  const loaded = loadConfig({ platform: testPlatform(home, { ARENA_COMFY_ROOT: comfy }), envFileCache: new EnvFileCache() });
  t.deepEqual(
    loaded.warnings.map((w) => w.message),
    [`${envFile}:2: expected KEY=value, found "this is not a setting"`],
  );
  t.is(loaded.config.cache.root, '/ssd');
});

test('a variable spelled after its key points to the real variable', async (t) => {
  const home = await tempDir(t);
  for (const [typed, meant] of [
    ['ARENA_CACHE_MAXBYTES', 'ARENA_CACHE_MAX_GB'],
    ['ARENA_CACHE_MAX_BYTES', 'ARENA_CACHE_MAX_GB'],
    ['ARENA_PREFETCH_CONCURENCY', 'ARENA_PREFETCH_CONCURRENCY'],
    ['ARENA_LIBRARY_POLL_INTERVAL', 'ARENA_LIBRARY_POLL_S'],
  ] as const) {
    const error = configError(t, () => loadConfig({ platform: testPlatform(home, { [typed]: '1' }), envFileCache: new EnvFileCache() }));
    t.is(error.problems[0]!.message, `unknown variable ${typed} in the environment (did you mean ${meant}?)`);
  }
  const far = configError(t, () => loadConfig({ platform: testPlatform(home, { ARENA_WHATEVER: '1' }), envFileCache: new EnvFileCache() }));
  t.is(far.problems[0]!.message, 'unknown variable ARENA_WHATEVER in the environment', 'no far-fetched suggestion');
});

test("an unknown ARENA_ line of the env file is an error with file:line; the old nodes' own lines are not", async (t) => {
  const home = await tempDir(t);
  const comfy = path.join(home, 'ComfyUI');
  const envFile = writeFile(
    path.join(comfy, 'user', 'arena_autocache.env'),
    'ARENA_AUTO_CACHE_ENABLED=0\nARENA_CACHE_MODE=lazy\nARENA_CACHE_MAXGB=100\nPATH=/usr/bin\n',
  );
  const error = configError(t, () => loadConfig({ platform: testPlatform(home, { ARENA_COMFY_ROOT: comfy }), envFileCache: new EnvFileCache() }));
  t.deepEqual(
    error.problems.map((problem) => problem.message),
    [`unknown variable ARENA_CACHE_MAXGB in ${envFile}:3 (did you mean ARENA_CACHE_MAX_GB?)`],
  );
});

test('an empty ARENA_ value is unset, in the environment and in the env file', async (t) => {
  const home = await tempDir(t);
  const comfy = path.join(home, 'ComfyUI');
  writeFile(path.join(comfy, 'user', 'arena_autocache.env'), 'ARENA_CACHE_MIN_SIZE_MB=\nARENA_CACHE_CATEGORIES=""\n');
  const file = writeFile(path.join(home, 'c.yaml'), 'library:\n  roots: [/nas]\n');
  const loaded = loadConfig({
    platform: testPlatform(home, { ARENA_COMFY_ROOT: comfy, ARENA_CACHE_MAX_GB: '', ARENA_LIBRARY_ROOTS: ' ', ARENA_NOT_A_THING: '' }),
    configFile: file,
    envFileCache: new EnvFileCache(),
  });
  t.is(loaded.config.cache.maxBytes, 0);
  t.is(loaded.sources.get('cache.maxBytes')!.kind, 'default');
  t.is(loaded.sources.get('cache.minFileBytes')!.kind, 'default');
  t.deepEqual(loaded.config.library.roots, ['/nas'], 'an empty variable does not clear what the file set');
  t.deepEqual(loaded.warnings, []);
  t.deepEqual(Object.keys(loaded.environment), ['ARENA_COMFY_ROOT']);
});

test('names the product reads or reserves are accepted; planned keys say they do nothing yet; secrets are never echoed', async (t) => {
  const home = await tempDir(t);
  const file = writeFile(path.join(home, 'c.yaml'), 'farm:\n  redis: redis://nas:6379/0\nui.listen: 127.0.0.1:9778\n');
  const loaded = loadConfig({
    platform: testPlatform(home, {
      ARENA_CONFIG: file,
      ARENA_FARM_TOKEN: 'farm-secret',
      ARENA_UI_TOKEN: 'ui-secret',
      ARENA_PREFETCH_BANDWIDTH: '80MB/s',
    }),
    envFileCache: new EnvFileCache(),
  });
  const messages = loaded.warnings.map((w) => w.message);
  t.deepEqual(messages, [
    `farm.redis in ${file}:2 is reserved for a feature not in this version of arenad; it is ignored`,
    `ui.listen in ${file}:3 is reserved for a feature not in this version of arenad; it is ignored`,
    'ARENA_PREFETCH_BANDWIDTH in the environment (prefetch.bandwidth) is reserved for a feature not in this version of arenad; it is ignored',
  ]);
  t.notRegex(JSON.stringify(loaded), /secret/);
  t.deepEqual(loaded.environment, {}, 'none of them set a value');
  const typo = writeFile(path.join(home, 'typo.yaml'), 'farm:\n  redsi: redis://nas\n');
  t.is(
    configError(t, () => loadConfig({ platform: testPlatform(home), configFile: typo, envFileCache: new EnvFileCache() })).message,
    `unknown key "farm.redsi" in ${typo}:2 (did you mean farm.redis?)`,
  );
});

test('a mistyped flag is refused with the flag meant', async (t) => {
  const home = await tempDir(t);
  const error = configError(t, () =>
    loadConfig({ platform: testPlatform(home), flags: [{ key: 'cache.maxbyte', value: '5GB' }], envFileCache: new EnvFileCache() }),
  );
  t.is(error.message, 'unknown flag --cache.maxbyte: no such configuration key (did you mean --cache.maxBytes?)');
});

test('a quota under 1 GB is a warning naming key, value, source and the likely meaning; 0 and real quotas are not', async (t) => {
  const home = await tempDir(t);
  const warningsFor = (text: string, env: NodeJS.ProcessEnv = {}) => {
    const file = writeFile(path.join(home, 'q.yaml'), text);
    return loadConfig({ platform: testPlatform(home, env), configFile: file, envFileCache: new EnvFileCache() }).warnings.map((w) => w.message);
  };
  const file = path.join(home, 'q.yaml');
  t.deepEqual(warningsFor('cache:\n  maxBytes: 500\n'), [
    `cache.maxBytes = 500 (from ${file}:2): a quota of 500 B cannot hold a single checkpoint (a bare number counts in bytes); did you mean 500GB? (0 means no quota)`,
  ]);
  t.deepEqual(warningsFor('cache:\n  maxBytes: 64MB\n'), [
    `cache.maxBytes = "64MB" (from ${file}:2): a quota of 64.0 MB cannot hold a single checkpoint; did you mean 64GB? (0 means no quota)`,
  ]);
  t.deepEqual(warningsFor('cache:\n  maxBytes: 0\n'), []);
  t.deepEqual(warningsFor('cache:\n  maxBytes: 1GB\n'), []);
  t.deepEqual(warningsFor('cache:\n  maxBytes: 500GB\n'), []);
  t.deepEqual(warningsFor('cache:\n  maxBytes: 500\n', { ARENA_CACHE_MAX_GB: '100' }), [], 'the environment wins with a real quota');
  t.deepEqual(warningsFor('{}\n', { ARENA_CACHE_MAX_GB: '0.5' }), [
    'cache.maxBytes = "0.5" (from environment ARENA_CACHE_MAX_GB): a quota of 537 MB cannot hold a single checkpoint (this variable counts in GiB); (0 means no quota)',
  ]);
});

test('a load says what it read: the environment that set values, the flags, the folder; and it can repeat exactly that', async (t) => {
  const home = await tempDir(t);
  const comfy = path.join(home, 'ComfyUI');
  const envFile = writeFile(path.join(comfy, 'user', 'arena_autocache.env'), 'ARENA_CACHE_MAX_GB=100\n');
  const other = writeFile(path.join(home, 'other.env'), 'ARENA_CACHE_MAX_GB=7\n');
  const userFile = writeFile(path.join(home, '.config', 'arena', 'config.yaml'), 'prefetch:\n  concurrency: 3\n');
  const env = { ARENA_COMFY_ROOT: comfy, ARENA_CACHE_ROOT: 'ssd', ARENA_AUTO_CACHE_ENABLED: '0', EDITOR: 'vi' };
  const loaded = loadConfig({
    platform: testPlatform(home, env, '/srv/studio'),
    flags: [{ key: 'log.level', value: 'debug' }],
    envFileCache: new EnvFileCache(),
  });
  t.is(loaded.configFile, userFile);
  t.is(loaded.envFile, envFile);
  t.deepEqual(loaded.environment, { ARENA_COMFY_ROOT: comfy, ARENA_CACHE_ROOT: 'ssd' });
  t.deepEqual(loaded.flags, [{ key: 'log.level', value: 'debug' }]);
  t.is(loaded.cwd, '/srv/studio');
  t.is(loaded.config.cache.root, '/srv/studio/ssd');

  const none = loadConfig({ platform: testPlatform(home, env), configFile: null, envFile: other, envFileCache: new EnvFileCache() });
  t.is(none.configFile, undefined, 'null: no config file, even though the user has one');
  t.is(none.config.prefetch.concurrency, 2);
  t.is(none.envFile, other);
  t.is(none.config.cache.maxBytes, 7 * GIB);
  t.is(loadConfig({ platform: testPlatform(home, env), envFile: null, envFileCache: new EnvFileCache() }).config.cache.maxBytes, 0);
});

test('the env file cannot move comfy.root, since it lives inside it', async (t) => {
  const home = await tempDir(t);
  const comfy = path.join(home, 'ComfyUI');
  writeFile(path.join(comfy, 'user', 'arena_autocache.env'), 'ARENA_COMFY_ROOT=/elsewhere\n');
  const loaded = loadConfig({ platform: testPlatform(home, { ARENA_COMFY_ROOT: comfy }), envFileCache: new EnvFileCache() });
  t.is(loaded.config.comfy.root, comfy);
  t.regex(loaded.warnings[0]!.message, /ARENA_COMFY_ROOT is ignored in the env file/);
});

test('the env file is parsed once and read again only after it changes on disk', async (t) => {
  const home = await tempDir(t);
  const comfy = path.join(home, 'ComfyUI');
  const envFile = writeFile(path.join(comfy, 'user', 'arena_autocache.env'), 'ARENA_CACHE_MAX_GB=1\n');
  let reads = 0;
  const cache = new EnvFileCache({
    statSync: (file) => fs.statSync(file),
    readFileSync: (file, encoding) => {
      reads += 1;
      return fs.readFileSync(file, encoding);
    },
  });
  const platform = testPlatform(home, { ARENA_COMFY_ROOT: comfy });
  for (let i = 0; i < 50; i++) t.is(loadConfig({ platform, envFileCache: cache }).config.cache.maxBytes, GIB);
  t.is(reads, 1);
  fs.writeFileSync(envFile, 'ARENA_CACHE_MAX_GB=2\n');
  const later = new Date(Date.now() + 5000);
  fs.utimesSync(envFile, later, later);
  t.is(loadConfig({ platform, envFileCache: cache }).config.cache.maxBytes, 2 * GIB);
  t.is(reads, 2);
});

test('unknown flags and bad flag values are errors naming the flag', async (t) => {
  const home = await tempDir(t);
  const error = configError(t, () =>
    loadConfig({
      platform: testPlatform(home),
      flags: [
        { key: 'cache.size', value: '1' },
        { key: 'metrics.listen', value: 'nowhere' },
      ],
      envFileCache: new EnvFileCache(),
    }),
  );
  t.deepEqual(
    error.problems.map((p) => p.message),
    [
      'unknown flag --cache.size: no such configuration key',
      'metrics.listen = "nowhere" (from flag --metrics.listen): expected HOST:PORT (such as 127.0.0.1:9777), a port number, or "off"',
    ],
  );
});

test('update windows are validated at load', async (t) => {
  const home = await tempDir(t);
  const good = loadConfig({
    platform: testPlatform(home, { ARENA_UPDATE_WINDOWS: 'Sat 02:00-05:00, Mon-Fri 23:00-01:00, 0 2 * * 1,3 3h' }),
    envFileCache: new EnvFileCache(),
  });
  t.is(good.config.updates.windows, 'Sat 02:00-05:00, Mon-Fri 23:00-01:00, 0 2 * * 1,3 3h');
  const bad = configError(t, () =>
    loadConfig({ platform: testPlatform(home, { ARENA_UPDATE_WINDOWS: 'Caturday 02:00-05:00' }), envFileCache: new EnvFileCache() }),
  );
  t.regex(bad.message, /"Caturday" is not a day or day range/);
});
