/**
 * Journey: a local user who can reach the socket (the owner, or a member of
 * its group) opens connections by the thousand and never reads. The daemon
 * stays within its handles and its memory, and `arenactl status` answers.
 */
import test from 'ava';
import fs from 'node:fs';
import net from 'node:net';
import { makeWorld, sh, startArenad } from './helpers/product.js';

function rssBytes(pid: number): number {
  const line = fs
    .readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((text) => text.startsWith('VmRSS:'))!;
  return Number(line.split(/\s+/)[1]) * 1024;
}

function connect(socket: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const client = net.connect(socket, () => resolve(client));
    client.once('error', reject);
  });
}

test.serial("1100 idle connections do not take the daemon's file handles: status still answers", async (t) => {
  const world = await makeWorld(t);
  // The usual soft limit of a login shell: 1100 connections would exhaust it.
  await startArenad(t, world, { shellPrefix: 'ulimit -n 1024;' });
  const idle: net.Socket[] = [];
  t.teardown(() => idle.forEach((socket) => socket.destroy()));
  for (let index = 0; index < 1100; index += 1) {
    // Some of 1100 connections may be refused (a full backlog, the daemon's limits): only status answering is under test.
    const socket = await connect(world.socket).catch(() => undefined);
    if (socket === undefined) continue;
    socket.on('error', () => undefined);
    idle.push(socket);
  }
  const status = await sh(world, 'arenactl status --json', { timeoutMs: 20_000 });
  t.is(status.code, 0, status.stderr);
  t.is((JSON.parse(status.stdout) as { state: string }).state, 'ready');
});

test.serial('a client that writes requests and reads nothing does not grow the daemon, and others are answered', async (t) => {
  const world = await makeWorld(t);
  const daemon = await startArenad(t, world);
  const pid = daemon.process.pid!;
  const before = rssBytes(pid);
  const flood = await connect(world.socket);
  flood.on('error', () => undefined);
  t.teardown(() => flood.destroy());
  flood.pause();
  const request = '{"id":1,"cmd":"status","args":{}}\n';
  // 100,000 status requests: answered in full they would be some 300 MB of replies in the daemon's memory.
  for (let sent = 0; sent < 100_000; sent += 10_000) flood.write(request.repeat(10_000));
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const status = await sh(world, 'arenactl status --json', { timeoutMs: 20_000 });
  t.is(status.code, 0, status.stderr);
  const grown = rssBytes(pid) - before;
  t.true(grown < 64 * 1024 * 1024, `the daemon grew by ${Math.round(grown / 1048576)} MiB`);
});
