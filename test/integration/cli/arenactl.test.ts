import path from 'node:path';
import test from 'ava';
import { spawnDaemon } from '../../helpers/daemon-process.js';
import { arenactl } from '../../helpers/cli-run.js';
import { PACKAGE_VERSION, PACKAGE_VERSION_PATTERN } from '../../helpers/package-version.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { writeFile } from '../../helpers/platform.js';

test('status when the daemon is not running: one line naming the socket, exit 3', async (t) => {
  const home = await tempDir(t);
  const socket = path.join(home, 'run', 'arenad.sock');
  const result = await arenactl(['status', '--socket', socket], home);
  t.is(result.code, 3);
  t.is(result.stdout, '');
  t.is(result.stderr, `arenactl: arenad is not running: nothing answers on ${socket} (no socket there)\n`);
  const json = await arenactl(['status', '--json'], home, { ARENA_SOCKET: socket });
  t.is(json.code, 3);
  t.deepEqual(json.json(), {
    error: { code: 'E_UNREACHABLE', message: `arenad is not running: nothing answers on ${socket} (no socket there)` },
  });
});

test('the default socket path is the one the daemon uses', async (t) => {
  const home = await tempDir(t);
  const result = await arenactl(['status'], home, { XDG_RUNTIME_DIR: path.join(home, 'xdg') });
  t.is(result.code, 3);
  t.regex(result.stderr, new RegExp(`nothing answers on ${path.join(home, 'xdg', 'arena', 'arenad.sock')}`));
});

test('status, version and config show against a running daemon', async (t) => {
  const home = await tempDir(t);
  const daemon = await spawnDaemon(t, { home });
  const env = { ARENA_SOCKET: daemon.socketPath };

  const status = await arenactl(['status', '--json'], home, env);
  t.is(status.code, 0);
  t.is(status.stderr, '');
  const body = status.json<{ state: string; pid: number; problems: string[] }>();
  t.is(body.state, 'degraded');
  t.is(body.pid, daemon.pid);

  const human = await arenactl(['status'], home, env);
  t.is(human.code, 0);
  t.regex(human.stdout, new RegExp(`^arenad ${PACKAGE_VERSION_PATTERN} · degraded · pid \\d+ · up \\d+s\n`));
  t.regex(human.stdout, / {2}! no ComfyUI found/);

  const version = await arenactl(['version', '--json'], home, env);
  t.deepEqual(version.json(), {
    arenactl: PACKAGE_VERSION,
    daemon: { version: PACKAGE_VERSION, pid: daemon.pid, protocol: 1 },
    socket: daemon.socketPath,
  });

  const config = await arenactl(['config', 'show', '--json'], home, env);
  t.is(config.code, 0);
  const report = config.json<{ origin: string; sources: Record<string, string>; config: { control: { socket: string } } }>();
  t.is(report.origin, 'daemon');
  t.is(report.config.control.socket, daemon.socketPath);
  t.is(report.sources['control.socket'], 'environment ARENA_SOCKET');
});

test('config show without a daemon computes the config here and says so', async (t) => {
  const home = await tempDir(t);
  const result = await arenactl(['config', 'show'], home, { ARENA_CACHE_MAX_GB: '64', ARENA_SOCKET: path.join(home, 's.sock') });
  t.is(result.code, 0);
  t.regex(result.stdout, /^configuration computed here: arenad is not running/);
  t.regex(result.stdout, /\ncache\.maxBytes\s+68\.7 GB \(68719476736\)\s+environment ARENA_CACHE_MAX_GB\n/);
  t.regex(result.stdout, /\ncache\.categories\s+all\s+default\n/);
});

test('config check: a good file passes, a bad one lists every problem and exits 1, an unknown key fails', async (t) => {
  const home = await tempDir(t);
  const good = writeFile(path.join(home, 'good.yaml'), 'cache:\n  maxBytes: 64GB\n');
  const ok = await arenactl(['config', 'check', good], home);
  t.is(ok.code, 0);
  t.is(ok.stdout, `configuration OK: ${good}\n`);

  const bad = writeFile(path.join(home, 'bad.yaml'), 'cache:\n  maxBytes: -64GB\n  enable: sometimes\n');
  const failed = await arenactl(['config', 'check', bad, '--json'], home);
  t.is(failed.code, 1);
  const body = failed.json<{ ok: boolean; problems: string[]; error: { code: string } }>();
  t.false(body.ok);
  t.is(body.problems.length, 2);
  t.is(body.error.code, 'E_CONFIG');
  t.regex(failed.stderr, /cache\.maxBytes = "-64GB" \(from .*bad\.yaml:2\)/);
  t.regex(failed.stderr, /cache\.enable = "sometimes" \(from .*bad\.yaml:3\)/);

  const typo = writeFile(path.join(home, 'typo.yaml'), 'cache:\n  maxbytes: 64GB\n');
  const unknown = await arenactl(['config', 'check', typo], home);
  t.is(unknown.code, 1);
  t.regex(unknown.stderr, /unknown key "cache\.maxbytes" in .*typo\.yaml:2 \(did you mean cache\.maxBytes\?\)/);
});

test('usage errors exit 2; --help exits 0', async (t) => {
  const home = await tempDir(t);
  const unknownCommand = await arenactl(['frobnicate'], home);
  t.is(unknownCommand.code, 2);
  t.regex(unknownCommand.stderr, /^arenactl: unknown command 'frobnicate'/);
  const unknownOption = await arenactl(['status', '--loud'], home);
  t.is(unknownOption.code, 2);
  t.regex(unknownOption.stderr, /unknown option '--loud'/);
  const missingValue = await arenactl(['status', '--socket'], home);
  t.is(missingValue.code, 2);
  const help = await arenactl(['status', '--help'], home);
  t.is(help.code, 0);
  t.regex(help.stdout, /--json/);
  t.regex(help.stdout, /--socket <path>/);
  const version = await arenactl(['--version'], home);
  t.is(version.code, 0);
  t.is(version.stdout, `${PACKAGE_VERSION}\n`);
  const short = await arenactl(['-V'], home);
  t.is(short.code, 0);
  t.is(short.stdout, version.stdout);
});

test('every command group has a description of its own', async (t) => {
  const home = await tempDir(t);
  const help = await arenactl(['--help'], home);
  for (const group of ['history', 'update', 'config', 'service', 'comfy']) {
    t.regex(help.stdout, new RegExp(`\\n  ${group}\\s+\\S`), group);
    t.notRegex(help.stdout, new RegExp(`${group} commands`));
  }
});
