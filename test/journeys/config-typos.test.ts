/**
 * Journeys: configuration mistakes a user makes (a mistyped key or variable,
 * a unit forgotten, a cache root that is a file) never pass silently, and the
 * tools that check the configuration check the one the daemon really runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { arenactlJson, makeWorld, sh, startArenad, until, type World } from './helpers/product.js';

interface Status {
  pid: number;
  state: string;
  problems: string[];
  config: { file: string | null; envFile: string | null };
  cache: { root: string; maxBytes: number };
}

interface DoctorReport {
  ok: boolean;
  checks: Array<{ id: string; status: 'pass' | 'warn' | 'fail'; message: string; fix?: string }>;
}

function writeText(file: string, text: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

/** A command line that runs arenad in the foreground, bounded: a daemon that wrongly starts is stopped after a while (exit 124). */
function arenadRefusal(world: World, line: string) {
  return sh(world, line.replace(/\barenad\b/, 'timeout 60 arenad'), { timeoutMs: 90_000 });
}

function doctorCheck(report: DoctorReport, id: string) {
  const check = report.checks.find((candidate) => candidate.id === id);
  if (!check) throw new Error(`doctor has no "${id}" check: ${JSON.stringify(report.checks)}`);
  return check;
}

test('a mistyped key in the config file stops arenad with file:line and "did you mean", word for word as config check says it', async (t) => {
  const world = await makeWorld(t);
  const file = writeText(path.join(world.home, 'arena.yaml'), 'cache:\n  maxByte: 50MB\n');

  const start = await arenadRefusal(world, `arenad --config ${file}`);
  t.is(start.code, 1, start.stderr);
  const expected = `unknown key "cache.maxByte" in ${file}:2 (did you mean cache.maxBytes?)`;
  t.true(start.stderr.includes(`arenad: ${expected}`), start.stderr);
  t.regex(start.stderr, /not started/);
  t.false(fs.existsSync(world.socket), 'nothing was started');

  const check = await sh(world, `arenactl config check ${file}`);
  t.is(check.code, 1);
  t.true(check.stderr.includes(expected), check.stderr);
});

test('a mistyped ARENA_ variable stops arenad, naming it and the variable meant', async (t) => {
  const world = await makeWorld(t);
  const start = await arenadRefusal(world, 'ARENA_CACHE_MAXBYTES=1 arenad');
  t.is(start.code, 1, start.stderr);
  t.regex(start.stderr, /arenad: unknown variable ARENA_CACHE_MAXBYTES in the environment \(did you mean ARENA_CACHE_MAX_GB\?\)/);
  t.false(fs.existsSync(world.socket));

  const check = await sh(world, 'ARENA_CACHE_MAXBYTES=1 arenactl config check');
  t.is(check.code, 1);
  t.regex(check.stderr, /unknown variable ARENA_CACHE_MAXBYTES in the environment/);
});

test('names the product reads, old AutoCache variables and names reserved for coming features still start the daemon', async (t) => {
  const world = await makeWorld(t);
  const config = writeText(path.join(world.home, 'arena.yaml'), 'cache:\n  maxBytes: 50GB\n');
  const env = {
    ARENA_CONFIG: config,
    ARENA_LOG_FILE: path.join(world.base, 'arenad.log'),
    ARENA_AUTO_CACHE_ENABLED: '0',
    ARENA_AUTOCACHE_AUTOPATCH: '0',
    ARENA_CACHE_MIN_SIZE_GB: '1',
    ARENA_FARM_TOKEN: 'sekrit-farm-token',
    ARENA_UI_TOKEN: 'sekrit-ui-token',
    ARENA_PREFETCH_BANDWIDTH: '80MB/s',
    ARENA_FARM_REDIS: 'redis://127.0.0.1:6379/0',
    ARENA_FARM_NAME: 'box1',
    ARENA_FARM_POOL: 'default',
    ARENA_FARM_NAS_COPIES: '2',
    ARENA_FARM_LISTEN: '127.0.0.1:9790',
    ARENA_FARM_POOL_PREFETCH: 'saves',
    ARENA_UI_LISTEN: '127.0.0.1:9778',
  };
  const daemon = await startArenad(t, world, { env });
  const status = await arenactlJson<Status>(world, 'status');
  t.is(status.cache.maxBytes, 50e9);
  // Not built yet: said once, not refused.
  t.regex(daemon.output(), /ARENA_FARM_REDIS .*not in this version/);
  t.notRegex(daemon.output(), /sekrit/, 'secrets are never printed');
  const check = await sh(world, 'arenactl config check', { env });
  t.is(check.code, 0, check.stderr);
});

test('the legacy env file: old AutoCache lines still work, an unknown ARENA_ line is refused with file:line', async (t) => {
  const world = await makeWorld(t);
  const envFile = path.join(world.comfy, 'user', 'arena_autocache.env');
  writeText(envFile, '# Arena AutoCache\nARENA_AUTO_CACHE_ENABLED=0\nARENA_CACHE_MAX_GB=100\nARENA_CACHE_MIN_SIZE_MB=\n');
  const daemon = await startArenad(t, world);
  t.is((await arenactlJson<Status>(world, 'status')).cache.maxBytes, 100 * 2 ** 30);
  t.is(await daemon.stop(), 0);

  writeText(envFile, '# Arena AutoCache\nARENA_AUTO_CACHE_ENABLED=0\nARENA_CACHE_MAXGB=100\n');
  const start = await arenadRefusal(world, 'arenad');
  t.is(start.code, 1, start.stderr);
  t.true(start.stderr.includes(`unknown variable ARENA_CACHE_MAXGB in ${envFile}:3 (did you mean ARENA_CACHE_MAX_GB?)`), start.stderr);
});

test('a reload with a typo keeps the running quota and shows the problem in status until a good reload', async (t) => {
  const world = await makeWorld(t);
  const file = writeText(path.join(world.home, '.config', 'arena', 'config.yaml'), 'cache:\n  maxBytes: 50GB\n');
  await startArenad(t, world);
  const before = await arenactlJson<Status>(world, 'status');
  t.is(before.state, 'ready', before.problems.join('; '));

  writeText(file, 'cache:\n  maxByte: 10GB\n');
  await sh(world, `kill -HUP ${before.pid}`);
  let status = before;
  await until(
    async () => {
      status = await arenactlJson<Status>(world, 'status');
      return status.problems.some((problem) => problem.includes('cache.maxByte'));
    },
    20_000,
    () => `the failed reload in status; it shows ${JSON.stringify(status.problems)}`,
  );
  t.is(status.state, 'degraded');
  const problem = status.problems.find((line) => line.includes('cache.maxByte'))!;
  t.true(problem.includes(`${file}:2`), problem);
  t.true(problem.includes('did you mean cache.maxBytes?'), problem);
  t.regex(problem, /previous configuration/);
  t.is(status.cache.maxBytes, 50e9, 'the old quota still applies');
  const piped = await sh(world, 'arenactl status | head -3');
  t.is(piped.code, 0);
  t.regex(piped.stdout, /degraded/);

  writeText(file, 'cache:\n  maxBytes: 20GB\n');
  await sh(world, `kill -HUP ${before.pid}`);
  await until(
    async () => {
      status = await arenactlJson<Status>(world, 'status');
      return status.cache.maxBytes === 20e9;
    },
    20_000,
    () => `the good reload; status is ${JSON.stringify(status)}`,
  );
  t.is(status.state, 'ready', status.problems.join('; '));
});

test('doctor checks the config file and variables the running daemon loaded, not the ones this shell would', async (t) => {
  const world = await makeWorld(t);
  // What a fresh start from this shell would load: broken.
  writeText(path.join(world.home, '.config', 'arena', 'config.yaml'), 'cache:\n  maxByte: 10GB\n');
  // What the daemon was started with, from another folder.
  const elsewhere = path.join(world.base, 'elsewhere');
  const file = writeText(path.join(elsewhere, 'arena.yaml'), 'cache:\n  maxBytes: 50GB\n');
  const ssd = path.join(world.base, 'ssd');
  await startArenad(t, world, { cwd: elsewhere, args: '--config ./arena.yaml', env: { ARENA_CACHE_ROOT: ssd } });

  const doctor = await sh(world, 'arenactl doctor --json');
  const report = JSON.parse(doctor.stdout) as DoctorReport;
  const config = doctorCheck(report, 'config');
  t.is(config.status, 'pass', config.message);
  t.true(config.message.includes(file), config.message);
  t.false(config.message.includes('maxByte:'), config.message);
  const permissions = report.checks.filter((check) => check.id === 'permissions').map((check) => check.message);
  t.true(
    permissions.some((message) => message.includes(`cache.root ${ssd}`)),
    `the daemon's ARENA_CACHE_ROOT: ${permissions.join('; ')}`,
  );

  // Without the daemon, doctor checks what a fresh start from here would load.
  const stop = await sh(world, `kill -TERM ${(await arenactlJson<Status>(world, 'status')).pid}`);
  t.is(stop.code, 0);
  await until(
    () => !fs.existsSync(world.socket),
    20_000,
    () => 'the daemon to stop',
  );
  const alone = JSON.parse((await sh(world, 'arenactl doctor --json')).stdout) as DoctorReport;
  const fresh = doctorCheck(alone, 'config');
  t.is(fresh.status, 'fail');
  t.regex(fresh.message, /unknown key "cache\.maxByte" in .*config\.yaml:2/);
});

test('a relative --config from another folder is reported as an absolute path', async (t) => {
  const world = await makeWorld(t);
  const elsewhere = path.join(world.base, 'elsewhere');
  const file = writeText(path.join(elsewhere, 'x.yaml'), 'cache:\n  maxBytes: 30GB\n');
  await startArenad(t, world, { cwd: elsewhere, args: '--config ./x.yaml' });
  const status = await arenactlJson<Status>(world, 'status');
  t.is(status.config.file, file);
  const shown = await arenactlJson<{ configFile: string; sources: Record<string, string> }>(world, 'config show');
  t.is(shown.configFile, file);
  t.is(shown.sources['cache.maxBytes'], `${file}:2`);
  const text = await sh(world, 'arenactl config show | head -3');
  t.true(text.stdout.includes(`config file: ${file}`), text.stdout);
});

test('a cache root that is a file: the daemon answers, degraded, copies nothing, and config check names it', async (t) => {
  const world = await makeWorld(t);
  const notAFolder = writeText(path.join(world.base, 'ssd'), 'not a folder\n');
  const env = { ARENA_CACHE_ROOT: notAFolder };

  const check = await sh(world, 'arenactl config check', { env });
  t.is(check.code, 1);
  t.regex(check.stderr, new RegExp(`cache\\.root = "${notAFolder}" \\(from environment ARENA_CACHE_ROOT\\): it is a file, not a folder`));

  const daemon = await startArenad(t, world, { env });
  const status = await arenactlJson<Status>(world, 'status');
  t.is(status.state, 'degraded');
  const problem = status.problems.find((line) => line.startsWith('cache.root'));
  t.truthy(problem, status.problems.join('; '));
  t.regex(problem!, /is a file, not a folder/);
  t.notRegex(JSON.stringify(status), /ENOTDIR|EACCES|\bat async\b/);
  t.notRegex(daemon.output(), /ENOTDIR|\bat async\b/);

  const prefetch = await sh(world, 'arenactl prefetch checkpoints/x.safetensors');
  t.is(prefetch.code, 1);
  t.regex(prefetch.stderr, /is a file, not a folder/);
  t.is(fs.readFileSync(notAFolder, 'utf8'), 'not a folder\n', 'the file is untouched');
});

test('a cache root under a file, or in a folder the user may not write, is a problem in status and in config check', async (t) => {
  const world = await makeWorld(t);
  const file = writeText(path.join(world.base, 'ssd'), 'x\n');
  const under = path.join(file, 'cache');
  const check = await sh(world, 'arenactl config check', { env: { ARENA_CACHE_ROOT: under } });
  t.is(check.code, 1);
  t.true(
    check.stderr.includes(`cache.root = "${under}" (from environment ARENA_CACHE_ROOT): it cannot be created: ${file} is a file, not a folder`),
    check.stderr,
  );
  const daemon = await startArenad(t, world, { env: { ARENA_CACHE_ROOT: under } });
  const status = await arenactlJson<Status>(world, 'status');
  t.true(
    status.problems.some((line) => line.includes(`${file} is a file, not a folder`)),
    status.problems.join('; '),
  );
  t.is(await daemon.stop(), 0);

  // Root without CAP_DAC_OVERRIDE meets file permissions as any other user does.
  const locked = path.join(world.base, 'locked');
  fs.mkdirSync(locked, { mode: 0o555 });
  fs.chmodSync(locked, 0o555);
  const asUser = 'setpriv --bounding-set=-dac_override,-dac_read_search';
  const env = { ARENA_CACHE_ROOT: path.join(locked, 'cache') };
  const denied = await sh(world, `${asUser} arenactl config check`, { env });
  t.is(denied.code, 1);
  t.regex(denied.stderr, /it cannot be created: permission denied in .*locked/);
  await startArenad(t, world, { env, wrapper: asUser });
  const lockedStatus = await arenactlJson<Status>(world, 'status');
  t.is(lockedStatus.state, 'degraded');
  t.true(
    lockedStatus.problems.some((line) => /^cache\.root .*cannot be created: permission denied in .*locked/.test(line)),
    lockedStatus.problems.join('; '),
  );
});

test('a quota of 500 bytes is flagged by config check and doctor as a likely unit mistake, not refused', async (t) => {
  const world = await makeWorld(t);
  const file = writeText(path.join(world.home, '.config', 'arena', 'config.yaml'), 'cache:\n  maxBytes: 500\n');
  const flagged = `cache.maxBytes = 500 (from ${file}:2)`;

  const check = await sh(world, 'arenactl config check');
  t.is(check.code, 0, check.stderr);
  const warning = check.stdout.split('\n').find((line) => line.startsWith('warning:'));
  t.truthy(warning, check.stdout);
  t.true(warning!.includes(flagged), warning);
  t.regex(warning!, /did you mean 500GB\?/);

  const doctor = JSON.parse((await sh(world, 'arenactl doctor --json')).stdout) as DoctorReport;
  const config = doctorCheck(doctor, 'config');
  t.is(config.status, 'warn');
  t.true(config.message.includes(flagged), config.message);
  t.regex(config.message, /did you mean 500GB\?/);

  const daemon = await startArenad(t, world);
  t.is((await arenactlJson<Status>(world, 'status')).cache.maxBytes, 500, 'a warning, not fatal');
  t.true(daemon.output().includes(flagged), daemon.output());
});

test('an empty ARENA_CACHE_MAX_GB= means unset, as shells and env files leave it', async (t) => {
  const world = await makeWorld(t);
  const line = await sh(world, 'ARENA_CACHE_MAX_GB= ARENA_LOG_LEVEL= arenactl config check');
  t.is(line.code, 0, line.stderr);
  await startArenad(t, world, { env: { ARENA_CACHE_MAX_GB: '', ARENA_CACHE_CATEGORIES: '', ARENA_UNHEARD_OF: '' } });
  const status = await arenactlJson<Status>(world, 'status');
  t.is(status.cache.maxBytes, 0);
  const shown = await arenactlJson<{ sources: Record<string, string> }>(world, 'config show');
  t.is(shown.sources['cache.maxBytes'], 'default');
});
