import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { logsCommand } from '../../src/cli/commands/logs.js';
import { serviceCommands } from '../../src/cli/commands/service.js';
import { tempDir } from '../helpers/temp-dir.js';
import { writeFile } from '../helpers/platform.js';
import { fakeRunner } from './helpers/fake-runner.js';
import { runCommands } from './helpers/run-commands.js';
import { serviceFixture, type FixtureOptions } from './helpers/service-fixture.js';

const RUNNING = [
  'LoadState=loaded',
  'ActiveState=active',
  'SubState=running',
  'MainPID=4321',
  'StatusText=cache 12 GB · idle',
  'UnitFileState=enabled',
  'NRestarts=0',
].join('\n');

async function setup(t: Parameters<typeof tempDir>[0], options: FixtureOptions = {}) {
  const base = await tempDir(t);
  const fixture = serviceFixture(base, { env: { XDG_CONFIG_HOME: path.join(base, 'xdg'), ...options.env }, ...options });
  const commands = [...serviceCommands(() => fixture.context), logsCommand(() => fixture.context)];
  return { ...fixture, base, run: (argv: readonly string[]) => runCommands(argv, commands, fixture.context.platform) };
}

test('install --dry-run prints every file and command and changes nothing', async (t) => {
  const { run, system, runner } = await setup(t, { uid: 0 });
  const result = await run(['service', 'install', '--system', '--dry-run']);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /^install \(system\), dry run: nothing is changed$/m);
  t.regex(result.stdout, new RegExp(`^would write ${system.unitFile} \\(0644\\)$`, 'm'));
  t.regex(result.stdout, /^ {4}\| Type=notify$/m, 'the unit is shown as it would be written');
  t.regex(result.stdout, /^would run systemctl restart arenad\.service$/m);
  t.false(fs.existsSync(system.unitFile));
  t.false(fs.existsSync(system.configFile));
  t.deepEqual(runner.calls, [], 'nothing ran');
});

test('install --dry-run --json is the plan as one document, and mentions what would stop a real install', async (t) => {
  const { run, system } = await setup(t, { uid: 1000, unbuilt: true });
  const result = await run(['service', 'install', '--system', '--dry-run', '--json']);
  t.is(result.code, 0, result.stderr);
  const plan = result.json<{ mode: string; dryRun: boolean; steps: Array<{ kind: string; path?: string; mode?: string }>; notes: string[] }>();
  t.is(plan.mode, 'system');
  t.true(plan.dryRun);
  t.true(plan.steps.some((step) => step.kind === 'write' && step.path === system.unitFile && step.mode === '0644'));
  t.true(plan.notes.some((note) => note.includes('needs root')));
  t.true(plan.notes.some((note) => note.includes('npm run build')));
});

test('a real system install needs root and a built daemon; --user and --system together are a usage error', async (t) => {
  const { run } = await setup(t, { uid: 1000 });
  const notRoot = await run(['service', 'install', '--system']);
  t.is(notRoot.code, 1);
  t.regex(notRoot.stderr, /a system install needs root: run it with sudo, or use --user/);

  const unbuilt = await setup(t, { uid: 0, unbuilt: true });
  const missing = await unbuilt.run(['service', 'install', '--system']);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /the daemon is not built .*npm run build/);

  const both = await run(['service', 'install', '--user', '--system']);
  t.is(both.code, 2);
  t.regex(both.stderr, /--user and --system exclude each other/);
});

test('install writes the user unit, runs systemctl --user and reports the state the service reached', async (t) => {
  const runner = fakeRunner([
    [/^loginctl/, { stdout: 'yes\n' }],
    [/^systemctl --user show arenad\.service/, { stdout: RUNNING }],
  ]);
  const { run, base } = await setup(t, { runner });
  const result = await run(['service', 'install']);
  t.is(result.code, 0, result.stderr);
  t.true(fs.existsSync(path.join(base, 'xdg', 'systemd', 'user', 'arenad.service')), 'a non-root install is a user install');
  t.deepEqual(
    runner.lines().filter((line) => line.startsWith('systemctl')),
    ['systemctl --user daemon-reload', 'systemctl --user enable arenad.service', 'systemctl --user restart arenad.service', 'systemctl --user show arenad.service --property=LoadState,ActiveState,SubState,MainPID,StatusText,UnitFileState,NRestarts'],
  );
  t.regex(result.stdout, /^arenad\.service active \(running\), pid 4321, enabled: cache 12 GB · idle$/m);
});

test('service status reads systemctl show, and says when systemd cannot be asked', async (t) => {
  const { run, system } = await setup(t, {
    uid: 0,
    runner: fakeRunner([[/^systemctl show/, { stdout: RUNNING }]]),
  });
  writeFile(system.unitFile, '[Service]\n');
  const result = await run(['service', 'status', '--json']);
  t.is(result.code, 0);
  t.like(result.json(), { mode: 'system', installed: true, active: 'active', subState: 'running', mainPid: 4321, statusText: 'cache 12 GB · idle', enabled: 'enabled' });

  const offline = await setup(t, {
    runner: fakeRunner([[/^systemctl/, { exitCode: 1, stderr: 'System has not been booted with systemd as init system (PID 1). Can\'t operate.\n' }]]),
  });
  const down = await offline.run(['service', 'status']);
  t.is(down.code, 1);
  t.regex(down.stdout, /systemctl --user show failed: System has not been booted with systemd/);
});

test('uninstall removes the unit it finds and keeps the config', async (t) => {
  const { run, system, runner } = await setup(t, { uid: 0 });
  writeFile(system.unitFile, '[Service]\n');
  writeFile(system.configFile, 'control:\n  socket: /run/arena/arenad.sock\n');
  const result = await run(['service', 'uninstall']);
  t.is(result.code, 0, result.stderr);
  t.false(fs.existsSync(system.unitFile));
  t.true(fs.existsSync(system.configFile));
  t.true(runner.lines().includes('systemctl disable --now arenad.service'));
  t.regex(result.stdout, /note: kept the configuration/);
});

test('logs runs journalctl for the installed unit with -n, --since and -f passed on', async (t) => {
  const runner = fakeRunner([[/^journalctl/, { stdout: '2025-01-02T03:04:05+0000 host node[12]: control socket listening\n' }]]);
  const { run, system } = await setup(t, { uid: 1000, runner });
  writeFile(system.unitFile, '[Service]\n');
  const result = await run(['logs', '-n', '20', '--since', '1 hour ago', '-f']);
  t.is(result.code, 0, result.stderr);
  t.is(result.stdout, '2025-01-02T03:04:05+0000 host node[12]: control socket listening\n');
  t.deepEqual(runner.calls.at(-1), ['journalctl', '--unit', 'arenad.service', '--no-pager', '--lines', '20', '--since', '1 hour ago', '--follow', '--output', 'short-iso']);

  await run(['logs', '--user']);
  t.deepEqual(runner.calls.at(-1)!.slice(0, 6), ['journalctl', '--user-unit', 'arenad.service', '--no-pager', '--lines', '50']);
});

test('logs --json parses the journal into entries; with -f it is a usage error', async (t) => {
  const line = JSON.stringify({ __REALTIME_TIMESTAMP: '1735787045000000', PRIORITY: '4', MESSAGE: 'library root /nas is missing', _PID: '12' });
  const { run } = await setup(t, { runner: fakeRunner([[/^journalctl/, { stdout: `${line}\n` }]]) });
  const result = await run(['logs', '--user', '--json']);
  t.is(result.code, 0, result.stderr);
  t.deepEqual(result.json(), {
    unit: 'arenad.service',
    scope: 'user',
    entries: [{ time: '2025-01-02T03:04:05.000Z', priority: 4, message: 'library root /nas is missing', pid: 12 }],
  });
  const follow = await run(['logs', '--json', '-f']);
  t.is(follow.code, 2);
  t.regex(follow.stderr, /cannot follow/);
  const badCount = await run(['logs', '-n', 'many']);
  t.is(badCount.code, 2);
});

test('logs on macOS reads the log file with tail, log.file first; --since needs the journal', async (t) => {
  const runner = fakeRunner([[/^tail/, { stdout: 'a line\n' }]]);
  const { run, context } = await setup(t, { os: 'darwin', uid: 501, runner });
  writeFile(path.join(context.platform.home, 'Library', 'Logs', 'arena', 'arenad.log'), 'a line\n');
  const result = await run(['logs', '-n', '5']);
  t.is(result.code, 0, result.stderr);
  t.deepEqual(runner.calls.at(-1), ['tail', '-n', '5', path.join(context.platform.home, 'Library', 'Logs', 'arena', 'arenad.log')]);
  t.is(result.stdout, 'a line\n');

  const logFile = path.join(context.platform.home, 'arena.log');
  writeFile(path.join(context.platform.env.XDG_CONFIG_HOME!, 'arena', 'config.yaml'), `log:\n  file: ${logFile}\n`);
  await run(['logs', '-f']);
  t.deepEqual(runner.calls.at(-1), ['tail', '-n', '50', '-F', logFile]);

  const since = await run(['logs', '--since', 'today']);
  t.is(since.code, 2);
  t.regex(since.stderr, /--since needs the journal/);
});
