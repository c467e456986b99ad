/**
 * The service on a real systemd: a container booted with systemd-nspawn,
 * the project installed in it with `arenactl service install --system`, and
 * then what users do with a service: status, the journal, arenactl through
 * the shared socket, a crash, a reload, a hang and a stop. Then the same
 * package as one user's service, run by that user's systemd manager.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import type { StatusResult } from '../../src/control/contract/daemon.js';
import { bootMachine, PROJECT_IN_MACHINE, type Machine } from '../helpers/nspawn.js';
import { ensureBuilt } from '../helpers/nspawn-build.js';
import { installGlobally, packBuilt } from '../helpers/npm-package.js';
import { eventually } from '../helpers/raw-socket.js';

const project = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ARENACTL = ['/usr/bin/node', `${PROJECT_IN_MACHINE}/dist/cli/main.js`];
const SOCKET = '/run/arena/arenad.sock';

/**
 * comfy.root makes the library real; the missing NAS root makes a warning and
 * a problem for STATUS=. The container shares the host's network, so
 * /metrics listens on a port that is free there.
 */
function configText(metricsPort: number): string {
  return `comfy:
  root: /opt/comfy
library:
  roots:
    - /srv/nas-missing
metrics:
  listen: 127.0.0.1:${metricsPort}
`;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface JournalEntry {
  readonly MESSAGE: string;
  readonly PRIORITY: string;
  readonly _PID?: string;
}

async function unitProperties(machine: Machine): Promise<Map<string, string>> {
  const text = await machine.check([
    'systemctl',
    'show',
    'arenad.service',
    '--property=ActiveState,SubState,MainPID,NRestarts,StatusText,Result,ExecMainStatus',
  ]);
  return new Map(
    text
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as [string, string]),
  );
}

async function journal(machine: Machine): Promise<JournalEntry[]> {
  const text = await machine.check(['journalctl', '-u', 'arenad.service', '-o', 'json', '--no-pager', '--output-fields=MESSAGE,PRIORITY,_PID']);
  return text
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as JournalEntry);
}

/** systemd's own lines about the unit ("Watchdog timeout", "Scheduled restart") are in the same journal. */
async function systemJournal(machine: Machine): Promise<string> {
  return machine.check(['journalctl', '-o', 'cat', '--no-pager', '_PID=1']);
}

async function until(
  machine: Machine,
  what: string,
  check: (properties: Map<string, string>) => boolean,
  timeoutMs = 30_000,
): Promise<Map<string, string>> {
  let last = new Map<string, string>();
  await eventually(
    async () => check((last = await unitProperties(machine))),
    timeoutMs,
    () => `${what}; the unit shows ${JSON.stringify(Object.fromEntries(last))}`,
  );
  return last;
}

const running = (properties: Map<string, string>) => properties.get('ActiveState') === 'active' && properties.get('SubState') === 'running';

/** A saved UI workflow that loads one checkpoint, as ComfyUI writes it. */
function workflowLoading(checkpoint: string): string {
  return JSON.stringify({
    nodes: [{ id: 1, type: 'CheckpointLoaderSimple', mode: 0, widgets_values: [checkpoint], inputs: [], properties: {} }],
    links: [],
    groups: [],
    extra: {},
    version: 0.4,
  });
}

test.serial(
  'the packed tarball installed globally runs as the system service and prefetches a saved workflow; from under /tmp it is refused',
  async (t) => {
    t.timeout(170_000);
    const started = Date.now();
    const step = (text: string) => t.log(`${((Date.now() - started) / 1000).toFixed(1)} s  ${text}`);
    step(ensureBuilt(project));
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'arena-e2e-package-'));
    t.teardown(() => fs.rmSync(work, { recursive: true, force: true }));
    // The container shares the host's /usr read-only and may have no network: the tarball is installed on the
    // host, into a prefix of its own (from the npm cache), and that prefix is bound into the container.
    const prefix = path.join(work, 'prefix');
    fs.mkdirSync(prefix, { mode: 0o755 });
    await installGlobally(await packBuilt(path.join(work, 'packed')), prefix);
    step('packed and installed into a prefix');
    const machine = await bootMachine(t, {
      project,
      binds: [
        { host: prefix, machine: '/opt/arena' },
        { host: prefix, machine: '/tmp/arena-global' },
      ],
    });
    step('container booted');
    try {
      await installedScenario(t, machine, step);
    } catch (error) {
      t.log((await machine.run(['journalctl', '--no-pager', '-n', '120', '-o', 'short-monotonic'])).stdout);
      throw error;
    }
  },
);

async function installedScenario(t: ExecutionContext, machine: Machine, step: (text: string) => void): Promise<void> {
  const checkpoint = '/opt/comfy/models/checkpoints/base.safetensors';
  await machine.writeFile(checkpoint, 'w'.repeat(256 * 1024));
  await machine.check(['mkdir', '-p', '/opt/comfy/user/default/workflows']);
  await machine.writeFile(
    '/etc/arena/config.yaml',
    `comfy:
  root: /opt/comfy
metrics:
  listen: "off"
`,
  );

  // --- from a prefix under /tmp: PrivateTmp=yes would hide the daemon, so nothing is installed ---
  const hidden = await machine.run(['/tmp/arena-global/bin/arenactl', 'service', 'install', '--system'], { timeoutMs: 90_000 });
  t.is(hidden.code, 1, `${hidden.stdout}\n${hidden.stderr}`);
  t.true(
    hidden.stderr.includes(
      'install refused, nothing was changed: the service cannot run the daemon from /tmp/arena-global/lib/node_modules/comfyui-arena/dist/daemon/main.js: ' +
        'the system unit arenad.service sets PrivateTmp=yes',
    ),
    hidden.stderr,
  );
  t.is((await machine.run(['test', '-e', '/etc/systemd/system/arenad.service'])).code, 1, 'no unit was written');
  t.is((await machine.run(['getent', 'passwd', 'arena'])).code, 2, 'no user was created');
  step('refused from under /tmp');

  // --- from /opt: installed, started, and running the installed daemon ---
  const arenactl = '/opt/arena/bin/arenactl';
  const installed = await machine.run([arenactl, 'service', 'install', '--system'], { timeoutMs: 90_000 });
  t.is(installed.code, 0, `${installed.stdout}\n${installed.stderr}`);
  t.regex(installed.stdout, /arenad\.service active \(running\), pid \d+/);
  const unit = await machine.check(['cat', '/etc/systemd/system/arenad.service']);
  t.regex(
    unit,
    /^ExecStart=\/usr\/bin\/node .* \/opt\/arena\/lib\/node_modules\/comfyui-arena\/dist\/daemon\/main\.js --config \/etc\/arena\/config\.yaml$/m,
  );
  const status = JSON.parse(await machine.check([arenactl, 'status', '--json'])) as StatusResult;
  t.deepEqual(status.log, { journal: true, file: null }, 'under systemd the journal has the log');
  step('installed from /opt');

  // --- a workflow saved the way ComfyUI saves it: its checkpoint is copied to the cache ---
  await machine.writeFile('/opt/comfy/user/default/workflows/tmp8f3k2a', workflowLoading('base.safetensors'));
  await machine.check(['mv', '/opt/comfy/user/default/workflows/tmp8f3k2a', '/opt/comfy/user/default/workflows/portrait.json']);
  await eventually(
    async () => (await machine.run(['cmp', checkpoint, '/var/cache/arena/checkpoints/base.safetensors'])).code === 0,
    60_000,
    "the saved workflow's checkpoint in the cache",
  );
  const listed = JSON.parse(await machine.check([arenactl, 'ls', '--json'])) as { entries: Array<{ category: string; name: string; state: string }> };
  t.like(
    listed.entries.find((entry) => entry.name === 'base.safetensors'),
    { category: 'checkpoints', state: 'cached' },
  );
  t.regex(await machine.check([arenactl, 'logs', '-n', '200']), /control socket listening/);
  step('the saved workflow was prefetched');
}

test('arenad as a system service on a real systemd: ready, status, journal, socket, crash, reload, watchdog and stop; then as a user service', async (t) => {
  t.timeout(170_000);
  const started = Date.now();
  const step = (text: string) => t.log(`${((Date.now() - started) / 1000).toFixed(1)} s  ${text}`);
  step(ensureBuilt(project));
  const machine = await bootMachine(t, { project });
  step('container booted');
  try {
    await scenario(t, machine, step);
  } catch (error) {
    // What systemd and the daemon said is the first thing to read when a step fails.
    t.log((await machine.run(['journalctl', '--no-pager', '-n', '120', '-o', 'short-monotonic'])).stdout);
    throw error;
  }
});

async function scenario(t: ExecutionContext, machine: Machine, step: (text: string) => void): Promise<void> {
  await machine.writeFile('/opt/comfy/models/checkpoints/base.safetensors', 'weights');
  const metricsPort = await freePort();
  await machine.writeFile('/etc/arena/config.yaml', configText(metricsPort));

  // --- install: the user, the config (kept, with the socket added), the unit, started and ready ---
  const installed = await machine.run([...ARENACTL, 'service', 'install', '--system'], { timeoutMs: 90_000 });
  t.is(installed.code, 0, `${installed.stdout}\n${installed.stderr}`);
  t.regex(installed.stdout, /created the system user arena \(systemd-sysusers\)/, 'a systemd machine creates the user from the sysusers.d entry');
  t.regex(await machine.check(['cat', '/etc/sysusers.d/arena.conf']), /^u arena - "ComfyUI Arena daemon" \/var\/lib\/arena \/usr\/sbin\/nologin$/m);
  t.regex(installed.stdout, /wrote \/etc\/arena\/config\.yaml \(the previous one is \/etc\/arena\/config\.yaml\.bak-\d{8}T\d{6}Z\)/);
  t.regex(installed.stdout, /ran systemctl restart arenad\.service/);
  t.regex(installed.stdout, /arenad\.service active \(running\), pid \d+/);
  step('installed');

  const config = await machine.check(['cat', '/etc/arena/config.yaml']);
  t.regex(config, /root: \/opt\/comfy/, 'the existing settings are kept');
  t.regex(config, /socket: \/run\/arena\/arenad\.sock/);
  t.regex(config, /socketGroup: arena/);

  // --- systemctl status: active (running), and STATUS= is the daemon's own summary ---
  const status = JSON.parse(await machine.check([...ARENACTL, 'status', '--json'])) as StatusResult;
  t.is(status.state, 'degraded');
  t.deepEqual(status.problems, [status.problems.find((problem) => problem.includes('/srv/nas-missing'))], 'the NAS root is the one problem');
  const properties = await until(machine, 'STATUS= to carry the summary', (shown) => running(shown) && shown.get('StatusText') === status.summary);
  t.is(Number(properties.get('MainPID')), status.pid);
  const systemctlStatus = await machine.run(['systemctl', 'status', 'arenad.service', '--no-pager']);
  t.regex(systemctlStatus.stdout, /Active: active \(running\)/);
  t.true(systemctlStatus.stdout.includes(`Status: "${status.summary}"`), systemctlStatus.stdout);
  // The sandbox lets the daemon serve /metrics over TCP.
  const scrape = `fetch('http://127.0.0.1:${metricsPort}/metrics').then(async (r) => console.log(r.status, (await r.text()).includes('arena_')))`;
  t.is((await machine.check(['/usr/bin/node', '-e', scrape])).trim(), '200 true');
  step('status checked');

  // --- the journal: the daemon's lines at their syslog priorities ---
  const entries = await journal(machine);
  const daemonLines = entries.filter((entry) => entry._PID === String(status.pid));
  t.true(
    daemonLines.some((entry) => entry.MESSAGE.startsWith('control socket listening') && entry.PRIORITY === '6'),
    JSON.stringify(daemonLines, null, 1),
  );
  t.true(
    daemonLines.some((entry) => entry.MESSAGE.includes('/srv/nas-missing') && entry.PRIORITY === '4'),
    JSON.stringify(daemonLines, null, 1),
  );
  t.false(
    daemonLines.some((entry) => /^<\d>/.test(entry.MESSAGE)),
    'journald strips the priority prefixes',
  );
  const logs = await machine.check([...ARENACTL, 'logs', '-n', '200']);
  t.regex(logs, /control socket listening/);
  step('journal checked');

  // --- the socket: 0660 for the group; a member reaches the daemon through the config's control.socket, others do not ---
  t.is((await machine.check(['stat', '-c', '%a %U %G', SOCKET])).trim(), '660 arena arena');
  t.is((await machine.check(['stat', '-c', '%a %G', path.dirname(SOCKET)])).trim(), '750 arena');
  await machine.check(['useradd', '--create-home', '--groups', 'arena', 'alice']);
  await machine.check(['useradd', '--create-home', 'bob']);
  const asUser = (user: string) => [
    'setpriv',
    `--reuid=${user}`,
    `--regid=${user}`,
    '--init-groups',
    'env',
    `HOME=/home/${user}`,
    `USER=${user}`,
    ...ARENACTL,
  ];
  const alice = await machine.run([...asUser('alice'), 'status', '--json']);
  t.is(alice.code, 0, alice.stderr);
  t.is((JSON.parse(alice.stdout) as StatusResult).pid, status.pid);
  const bob = await machine.run([...asUser('bob'), 'status']);
  // The daemon runs, so this is not "not running" (exit 3) but a permission problem (exit 1) with its fix.
  t.is(bob.code, 1, `a user outside the group cannot connect: ${bob.stdout}${bob.stderr}`);
  t.true(bob.stderr.includes(`permission denied on ${SOCKET}`), bob.stderr);
  t.regex(bob.stderr, /join the socket's group/);
  step('socket checked');

  // --- a crash: SIGKILL to the main process, and systemd starts a new one ---
  await machine.check(['kill', '-KILL', String(status.pid)]);
  const restarted = await until(
    machine,
    'systemd to restart the killed daemon',
    (shown) => running(shown) && Number(shown.get('MainPID')) !== status.pid,
  );
  t.true(Number(restarted.get('NRestarts')) >= 1);
  const afterCrash = JSON.parse(await machine.check([...ARENACTL, 'status', '--json'])) as StatusResult;
  t.is(afterCrash.pid, Number(restarted.get('MainPID')));
  step('restarted after SIGKILL');

  // --- reload: a bad config is refused (and logged as an error), a good one is taken; the process stays ---
  await machine.writeFile('/etc/arena/config.yaml', `${config}log:\n  level: loud\n`);
  await machine.check(['systemctl', 'reload', 'arenad.service']);
  await eventually(
    async () => (await journal(machine)).some((entry) => entry.MESSAGE.startsWith('config reload failed') && entry.PRIORITY === '3'),
    30_000,
    'the refused reload in the journal at priority 3',
  );
  await machine.writeFile('/etc/arena/config.yaml', config);
  await machine.check(['systemctl', 'reload', 'arenad.service']);
  await eventually(
    async () => (await journal(machine)).some((entry) => entry.MESSAGE.startsWith('configuration reloaded')),
    30_000,
    'the reload in the journal',
  );
  const reloaded = await until(machine, 'the unit to be running again after RELOADING=1 and READY=1', running);
  t.is(reloaded.get('MainPID'), restarted.get('MainPID'), 'a reload keeps the process');
  step('reloaded');

  // --- a hung event loop: with a test-only preload (nothing of it ships) and a short watchdog, systemd kills and restarts the daemon ---
  await machine.writeFile('/etc/arena/hang-on-signal.mjs', fs.readFileSync(new URL('../helpers/hang-on-signal.mjs', import.meta.url), 'utf8'));
  await machine.writeFile(
    '/etc/systemd/system/arenad.service.d/test-hooks.conf',
    '[Service]\nEnvironment=NODE_OPTIONS=--import=/etc/arena/hang-on-signal.mjs\nWatchdogSec=4s\n',
  );
  await machine.check(['systemctl', 'daemon-reload']);
  await machine.check(['systemctl', 'restart', 'arenad.service'], { timeoutMs: 60_000 });
  const beforeHang = await until(machine, 'the daemon with the test hook to run', running);
  const hangPid = beforeHang.get('MainPID')!;
  await machine.check(['systemctl', 'kill', '--kill-whom=main', '--signal=SIGUSR2', 'arenad.service']);
  await until(
    machine,
    'the watchdog to kill the hung daemon and systemd to start a new one',
    (shown) => running(shown) && shown.get('MainPID') !== hangPid,
    60_000,
  );
  t.regex(await systemJournal(machine), /arenad\.service: Watchdog timeout/);
  step('watchdog caught the hang');

  // --- stop: STOPPING=1, a clean exit 0, the socket removed ---
  const stopped = await machine.run(['systemctl', 'stop', 'arenad.service'], { timeoutMs: 90_000 });
  t.is(stopped.code, 0, stopped.stderr);
  const after = await unitProperties(machine);
  t.is(after.get('ActiveState'), 'inactive');
  t.is(after.get('Result'), 'success');
  t.is(after.get('ExecMainStatus'), '0');
  t.is((await machine.run(['test', '-e', SOCKET])).code, 1, 'the socket is gone');
  t.true((await journal(machine)).some((entry) => entry.MESSAGE === 'stopped' && entry.PRIORITY === '6'));
  const serviceStatus = JSON.parse(await machine.check([...ARENACTL, 'service', 'status', '--json'])) as { installed: boolean; active: string };
  t.true(serviceStatus.installed);
  t.is(serviceStatus.active, 'inactive');
  step('stopped cleanly');

  // --- uninstall: the unit goes, the config and state stay ---
  const removed = await machine.run([...ARENACTL, 'service', 'uninstall', '--system']);
  t.is(removed.code, 0, `${removed.stdout}\n${removed.stderr}`);
  t.is((await machine.run(['test', '-e', '/etc/systemd/system/arenad.service'])).code, 1);
  t.is((await machine.run(['test', '-e', '/etc/arena/config.yaml'])).code, 0);
  t.is((await machine.run(['test', '-d', '/var/lib/arena'])).code, 0);
  step('uninstalled');

  // --- a user service: carol's own systemd manager, kept running by linger; the socket where arenactl looks by default ---
  await machine.check(['useradd', '--create-home', 'carol']);
  await machine.check(['loginctl', 'enable-linger', 'carol']);
  const uid = (await machine.check(['id', '-u', 'carol'])).trim();
  await eventually(
    async () => (await machine.run(['systemctl', 'is-active', `user@${uid}.service`])).stdout.trim() === 'active',
    30_000,
    "carol's user manager",
  );
  const carol = [
    'setpriv',
    '--reuid=carol',
    '--regid=carol',
    '--init-groups',
    'env',
    'HOME=/home/carol',
    'USER=carol',
    `XDG_RUNTIME_DIR=/run/user/${uid}`,
  ];
  // An existing user config is kept as it is; this one keeps /metrics off the shared network.
  await machine.writeFile('/home/carol/.config/arena/config.yaml', 'metrics:\n  listen: "off"\n');
  await machine.check(['chown', '-R', 'carol:carol', '/home/carol/.config']);
  const userInstall = await machine.run([...carol, ...ARENACTL, 'service', 'install', '--user'], { timeoutMs: 90_000 });
  t.is(userInstall.code, 0, `${userInstall.stdout}\n${userInstall.stderr}`);
  t.regex(userInstall.stdout, /arenad\.service active \(running\)/);
  t.notRegex(userInstall.stdout, /linger/, 'lingering is on, so there is nothing to say about it');
  const userStatus = JSON.parse(await machine.check([...carol, ...ARENACTL, 'status', '--json'])) as StatusResult;
  const userService = JSON.parse(await machine.check([...carol, ...ARENACTL, 'service', 'status', '--json'])) as {
    mode: string;
    mainPid: number;
    statusText: string;
    linger: boolean;
  };
  t.like(userService, { mode: 'user', mainPid: userStatus.pid, linger: true });
  t.is(userService.statusText, userStatus.summary);
  t.regex(await machine.check([...carol, ...ARENACTL, 'logs', '-n', '100']), /control socket listening socket=\/run\/user\/\d+\/arena\/arenad\.sock/);
  const userRemoved = await machine.run([...carol, ...ARENACTL, 'service', 'uninstall']);
  t.is(userRemoved.code, 0, userRemoved.stderr);
  t.is((await machine.run(['test', '-e', '/home/carol/.config/systemd/user/arenad.service'])).code, 1);
  step('user service installed, checked and removed');
  // In this container a user manager never finishes stopping (its exit.target job hangs), which would hold up the
  // poweroff for half a minute; it has nothing left to save, so end it at once.
  await machine.check(['systemctl', 'kill', '--signal=SIGKILL', `user@${uid}.service`]);
  await machine.check(['loginctl', 'disable-linger', 'carol']);
}
