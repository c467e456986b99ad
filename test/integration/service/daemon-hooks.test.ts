/**
 * What the service integration changes in a real arenad process: the socket
 * shared with control.socketGroup, no test hook in the shipped daemon, and
 * no systemd traffic outside systemd.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { systemRunner } from '../../../src/service/command-runner.js';
import { groupId } from '../../../src/service/socket-group.js';
import { spawnDaemon } from '../../helpers/daemon-process.js';
import { eventually } from '../../helpers/raw-socket.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { fakeRunner } from '../../service/helpers/fake-runner.js';

/** A group this test process belongs to, by name, so the daemon may give the socket to it. */
async function ownGroupName(): Promise<string> {
  const result = await systemRunner.run('getent', ['group', String(process.getegid!())]);
  return result.stdout.split(':')[0]!;
}

test('with control.socketGroup the socket is 0660 and its folder 0750, both in that group', async (t) => {
  const home = await tempDir(t);
  const group = await ownGroupName();
  const daemon = await spawnDaemon(t, { home, env: { ARENA_SOCKET_GROUP: group } });
  const socket = fs.statSync(daemon.socketPath);
  const folder = fs.statSync(path.dirname(daemon.socketPath));
  t.is(socket.mode & 0o777, 0o660);
  t.is(folder.mode & 0o777, 0o750);
  t.is(socket.gid, process.getegid!());
  t.regex(daemon.output(), /control socket shared with a group/);
});

test('without control.socketGroup the socket stays private to the daemon user', async (t) => {
  const daemon = await spawnDaemon(t, { home: await tempDir(t) });
  t.is(fs.statSync(daemon.socketPath).mode & 0o777, 0o600);
  t.is(fs.statSync(path.dirname(daemon.socketPath)).mode & 0o777, 0o700);
});

test('a socketGroup that does not exist stops the start with a message that says what to do', async (t) => {
  const daemon = await spawnDaemon(t, { home: await tempDir(t), env: { ARENA_SOCKET_GROUP: 'no-such-group-arena' }, waitForSocket: false });
  t.is(await daemon.exited, 1);
  t.regex(daemon.output(), /not started: control\.socketGroup no-such-group-arena: no such group; create it \(groupadd no-such-group-arena\) or clear control\.socketGroup/);
});

test('groups are looked up by name through getent, or taken as numbers', async (t) => {
  t.is(await groupId('1234', fakeRunner()), 1234);
  t.is(await groupId('arena', fakeRunner([[/^getent group arena$/, { stdout: 'arena:x:995:alice\n' }]])), 995);
  await t.throwsAsync(groupId('arena', fakeRunner([[/^getent/, { missing: true, exitCode: 127 }]])), { message: /give its numeric gid/ });
});

test('the daemon ships no test hook; a test blocks its loop from a preload the test alone passes, and it answers again after', async (t) => {
  const plain = await spawnDaemon(t, { home: await tempDir(t) });
  t.false((await plain.request('hello')).commands.some((command) => command.startsWith('debug')));

  const hook = fileURLToPath(new URL('../../helpers/hang-on-signal.mjs', import.meta.url));
  const hooked = await spawnDaemon(t, { home: await tempDir(t), env: { NODE_OPTIONS: `--import=${hook}`, HANG_SECONDS: '1' } });
  hooked.signal('SIGUSR2');
  await hooked.waitForOutput(/test hook: blocking the event loop for 1 s/);
  t.is((await hooked.status()).pid, hooked.pid, 'the daemon answers again once the block is over');
});

test('outside systemd the daemon runs no systemd-notify', async (t) => {
  // A systemd-notify first on PATH that records its runs: there must be none.
  const home = await tempDir(t);
  const bin = path.join(home, 'bin');
  const record = path.join(home, 'notify-runs');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'systemd-notify'), `#!/bin/sh\necho "$@" >> ${record}\n`, { mode: 0o755 });
  const daemon = await spawnDaemon(t, { home, env: { PATH: `${bin}:${process.env.PATH}`, WATCHDOG_USEC: '200000' } });
  await daemon.status();
  daemon.signal('SIGHUP');
  await daemon.waitForOutput(/configuration reloaded/);
  t.false(fs.existsSync(record));
});

test('under systemd (NOTIFY_SOCKET set) the daemon says READY=1 with its status, then RELOADING=1 and READY=1, then STOPPING=1', async (t) => {
  const home = await tempDir(t);
  const bin = path.join(home, 'bin');
  const record = path.join(home, 'notify-runs');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'systemd-notify'), `#!/bin/sh\necho "$@" >> ${record}\n`, { mode: 0o755 });
  const daemon = await spawnDaemon(t, { home, env: { PATH: `${bin}:${process.env.PATH}`, NOTIFY_SOCKET: path.join(home, 'notify') } });
  const runs = () => (fs.existsSync(record) ? fs.readFileSync(record, 'utf8').trim().split('\n') : []);
  const status = await daemon.status();
  await eventually(() => runs().some((line) => line.includes('READY=1')), 20_000, 'READY=1');
  t.true(runs().includes(`--pid=${daemon.pid} READY=1 STATUS=${status.summary}`), runs().join('\n'));
  daemon.signal('SIGHUP');
  await eventually(() => runs().filter((line) => line.includes('READY=1')).length === 2, 20_000, 'READY=1 after the reload');
  const reload = runs().findIndex((line) => line.includes('RELOADING=1'));
  t.true(reload > 0 && reload < runs().findLastIndex((line) => line.includes('READY=1')), runs().join('\n'));
  daemon.signal('SIGTERM');
  t.is(await daemon.exited, 0);
  t.true(runs().some((line) => line.includes('STOPPING=1')), runs().join('\n'));
});
