import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { z } from 'zod';
import { ArenaError } from '../../src/core/arena-error.js';
import { silentLogger } from '../../src/log/logger.js';
import { CommandRegistry } from '../../src/control/command-registry.js';
import { ControlClient, DaemonUnreachableError, RemoteError } from '../../src/control/control-client.js';
import { ControlServer, type ControlLimits } from '../../src/control/control-server.js';
import { EventBus } from '../../src/control/event-bus.js';
import { helloCommand } from '../../src/control/commands/hello.js';
import { subscribeCommand } from '../../src/control/commands/subscribe.js';
import { MAX_LINE_BYTES } from '../../src/control/protocol.js';
import { AlreadyRunningError, SocketPathError } from '../../src/control/socket-path.js';
import { tempDir } from '../helpers/temp-dir.js';
import { RawSocket, eventually } from '../helpers/raw-socket.js';

const uid = process.getuid!();

function registryWith(bus: EventBus): CommandRegistry {
  const registry = new CommandRegistry();
  registry
    .add(helloCommand('9.9.9', registry))
    .add(subscribeCommand(bus))
    .add({
      name: 'echo',
      summary: 'test',
      args: z.object({ text: z.string(), times: z.number().int().min(1).default(1) }).strict(),
      run: ({ text, times }) => ({ echoed: text.repeat(times) }),
    })
    .add({
      name: 'fail',
      summary: 'test',
      args: z.object({}),
      run: () => {
        throw new ArenaError('E_PATH', 'name ../x leaves the library');
      },
    })
    .add({
      name: 'crash',
      summary: 'test',
      args: z.object({}),
      run: () => {
        throw new TypeError('undefined is not a function');
      },
    });
  return registry;
}

async function startServer(t: ExecutionContext, limits: Partial<ControlLimits> = {}, registry?: (bus: EventBus) => CommandRegistry) {
  const dir = await tempDir(t);
  const socketPath = path.join(dir, 'run', 'arenad.sock');
  const bus = new EventBus();
  const server = new ControlServer({ socketPath, registry: (registry ?? registryWith)(bus), logger: silentLogger, uid, limits });
  await server.listen();
  t.teardown(() => server.close(100));
  return { server, socketPath, bus, dir };
}

async function roundTrip(socketPath: string, line: string | Buffer): Promise<unknown> {
  const raw = await RawSocket.connect(socketPath);
  try {
    raw.write(line);
    const [reply] = await raw.waitFor(1);
    return reply;
  } finally {
    raw.close();
  }
}

test('hello answers with version, protocol, pid and the command list', async (t) => {
  const { socketPath } = await startServer(t);
  t.deepEqual(await roundTrip(socketPath, '{"id":1,"cmd":"hello","args":{"protocol":1}}\n'), {
    id: 1,
    ok: true,
    result: { protocol: 1, version: '9.9.9', pid: process.pid, commands: ['crash', 'echo', 'fail', 'hello', 'subscribe'] },
  });
  t.deepEqual(await roundTrip(socketPath, '{"id":"h","cmd":"hello","args":{"protocol":2}}\n'), {
    id: 'h',
    ok: false,
    error: { code: 'E_PROTOCOL', message: 'this daemon speaks protocol 1, not 2; upgrade arenactl or the daemon so that they match' },
  });
});

test('the socket is 0600 inside a 0700 folder, and is removed on close', async (t) => {
  const { server, socketPath } = await startServer(t);
  t.is(fs.statSync(socketPath).mode & 0o777, 0o600);
  t.is(fs.statSync(path.dirname(socketPath)).mode & 0o777, 0o700);
  await server.close(100);
  t.false(fs.existsSync(socketPath));
});

test('a socket folder that is too open is made private', async (t) => {
  const dir = await tempDir(t);
  const folder = path.join(dir, 'open');
  fs.mkdirSync(folder, { mode: 0o755 });
  fs.chmodSync(folder, 0o755);
  const server = new ControlServer({ socketPath: path.join(folder, 's.sock'), registry: new CommandRegistry(), logger: silentLogger, uid });
  await server.listen();
  t.teardown(() => server.close(100));
  t.is(fs.statSync(folder).mode & 0o777, 0o700);
});

test('the daemon refuses a shared sticky folder such as /tmp', async (t) => {
  const dir = await tempDir(t);
  fs.chmodSync(dir, 0o1777);
  const server = new ControlServer({ socketPath: path.join(dir, 's.sock'), registry: new CommandRegistry(), logger: silentLogger, uid });
  const error = await t.throwsAsync(server.listen(), { instanceOf: SocketPathError });
  t.regex(error.message, /is shared \(sticky bit, like \/tmp\)/);
  t.is(fs.statSync(dir).mode & 0o7777, 0o1777, 'a shared folder is never chmod-ed');
});

test('a stale socket left by a crash is detected and replaced; a live one is refused', async (t) => {
  const dir = await tempDir(t);
  const socketPath = path.join(dir, 'arenad.sock');
  // A socket file whose listener died without unlinking it, as after SIGKILL.
  const crashed = net.createServer();
  await new Promise<void>((resolve) => crashed.listen(socketPath, resolve));
  // Closing normally would unlink; make a copy of the dead inode by hard-linking first.
  const stalePath = path.join(dir, 'keep.sock');
  fs.linkSync(socketPath, stalePath);
  await new Promise<void>((resolve) => crashed.close(() => resolve()));
  fs.renameSync(stalePath, socketPath);
  t.true(fs.lstatSync(socketPath).isSocket());

  const first = new ControlServer({ socketPath, registry: registryWith(new EventBus()), logger: silentLogger, uid });
  await first.listen();
  t.teardown(() => first.close(100));
  t.deepEqual(await roundTrip(socketPath, '{"id":1,"cmd":"echo","args":{"text":"up"}}\n'), {
    id: 1,
    ok: true,
    result: { echoed: 'up' },
  });

  const second = new ControlServer({ socketPath, registry: new CommandRegistry(), logger: silentLogger, uid });
  const error = await t.throwsAsync(second.listen(), { instanceOf: AlreadyRunningError });
  t.is(error.message, `another arenad is already listening on ${socketPath}; stop it first (arenactl status shows its pid)`);
  t.deepEqual(await roundTrip(socketPath, '{"id":2,"cmd":"echo","args":{"text":"still"}}\n'), {
    id: 2,
    ok: true,
    result: { echoed: 'still' },
  });
});

test('a regular file where the socket should be is refused, not deleted', async (t) => {
  const dir = await tempDir(t);
  const socketPath = path.join(dir, 'arenad.sock');
  fs.writeFileSync(socketPath, 'precious');
  const server = new ControlServer({ socketPath, registry: new CommandRegistry(), logger: silentLogger, uid });
  await t.throwsAsync(server.listen(), { instanceOf: SocketPathError, message: /exists and is not a socket/ });
  t.is(fs.readFileSync(socketPath, 'utf8'), 'precious');
});

test('a socket path beyond the Unix limit gets a clear error', async (t) => {
  const dir = await tempDir(t);
  const socketPath = path.join(dir, 'x'.repeat(120), 'arenad.sock');
  const server = new ControlServer({ socketPath, registry: new CommandRegistry(), logger: silentLogger, uid });
  await t.throwsAsync(server.listen(), { instanceOf: SocketPathError, message: /Unix sockets allow at most 107/ });
});

test('invalid JSON, garbage bytes and non-request JSON get error replies and the connection stays usable', async (t) => {
  const { socketPath } = await startServer(t);
  const raw = await RawSocket.connect(socketPath);
  t.teardown(() => raw.close());
  raw.write('{"id":1,"cmd":\n');
  raw.write(Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80, 0x0a]));
  raw.write('[1,2,3]\n');
  raw.write('{"id":4}\n');
  raw.write('{"id":5,"cmd":"echo","args":{"text":"ok"},"extra":1}\n');
  raw.write('{"id":6,"cmd":"echo","args":{"text":"ok"}}\n');
  const replies = (await raw.waitFor(6)) as Array<{ id: unknown; ok: boolean; error?: { code: string; message: string } }>;
  t.is(replies[0]!.error!.code, 'E_PARSE');
  t.is(replies[0]!.id, null);
  t.regex(replies[0]!.error!.message, /^the line is not valid JSON: /);
  t.is(replies[1]!.error!.code, 'E_PARSE');
  t.is(replies[2]!.error!.code, 'E_REQUEST');
  t.deepEqual(replies[3], {
    id: 4,
    ok: false,
    error: { code: 'E_REQUEST', message: 'a request is {"id", "cmd", "args"}: request.cmd: Required' },
  });
  t.is(replies[4]!.error!.code, 'E_REQUEST');
  t.regex(replies[4]!.error!.message, /Unrecognized key\(s\) in object: 'extra'/);
  t.deepEqual(replies[5], { id: 6, ok: true, result: { echoed: 'ok' } });
});

test('an unknown command and wrong argument types are named in the error', async (t) => {
  const { socketPath } = await startServer(t);
  t.deepEqual(await roundTrip(socketPath, '{"id":1,"cmd":"explode"}\n'), {
    id: 1,
    ok: false,
    error: { code: 'E_UNKNOWN_COMMAND', message: 'unknown command "explode"; this daemon knows: crash, echo, fail, hello, subscribe' },
  });
  t.deepEqual(await roundTrip(socketPath, '{"id":2,"cmd":"echo","args":{"text":5,"times":"x"}}\n'), {
    id: 2,
    ok: false,
    error: {
      code: 'E_ARGS',
      message: 'echo: args.text: Expected string, received number; args.times: Expected number, received string',
    },
  });
  t.deepEqual(await roundTrip(socketPath, '{"id":3,"cmd":"echo","args":[1]}\n'), {
    id: 3,
    ok: false,
    error: { code: 'E_REQUEST', message: 'a request is {"id", "cmd", "args"}: request.args: Expected object, received array' },
  });
});

test('a handler error keeps its code; an unexpected exception becomes E_INTERNAL and the server carries on', async (t) => {
  const { socketPath } = await startServer(t);
  t.deepEqual(await roundTrip(socketPath, '{"id":1,"cmd":"fail"}\n'), {
    id: 1,
    ok: false,
    error: { code: 'E_PATH', message: 'name ../x leaves the library' },
  });
  t.deepEqual(await roundTrip(socketPath, '{"id":2,"cmd":"crash"}\n'), {
    id: 2,
    ok: false,
    error: { code: 'E_INTERNAL', message: 'internal error in crash: undefined is not a function' },
  });
  t.deepEqual(await roundTrip(socketPath, '{"id":3,"cmd":"echo","args":{"text":"alive"}}\n'), {
    id: 3,
    ok: true,
    result: { echoed: 'alive' },
  });
});

test('a 2 MiB line is refused with E_TOO_LARGE, in pieces or at once, and the next request works', async (t) => {
  const { socketPath } = await startServer(t);
  const raw = await RawSocket.connect(socketPath);
  t.teardown(() => raw.close());
  const huge = `{"id":1,"cmd":"echo","args":{"text":"${'a'.repeat(2 * 1024 * 1024)}"}}\n`;
  for (let offset = 0; offset < huge.length; offset += 65536) raw.write(huge.slice(offset, offset + 65536));
  raw.write('{"id":2,"cmd":"echo","args":{"text":"after"}}\n');
  const [tooLarge, after] = (await raw.waitFor(2)) as Array<{ id: unknown; ok: boolean; error?: { code: string } }>;
  t.is(tooLarge!.error!.code, 'E_TOO_LARGE');
  t.deepEqual(after, { id: 2, ok: true, result: { echoed: 'after' } });
  t.is(raw.messages.length, 2, 'the oversized line gets exactly one reply');
});

test('a line of exactly the limit is accepted', async (t) => {
  const { socketPath } = await startServer(t);
  const prefix = '{"id":1,"cmd":"echo","args":{"text":"';
  const suffix = '"}}';
  const text = 'b'.repeat(MAX_LINE_BYTES - prefix.length - suffix.length);
  const reply = (await roundTrip(socketPath, `${prefix}${text}${suffix}\n`)) as { ok: boolean };
  t.true(reply.ok);
});

test('a client that connects and never writes does not block anyone, and idles out', async (t) => {
  const { socketPath, server } = await startServer(t, { firstLineTimeoutMs: 300 });
  const silent = await RawSocket.connect(socketPath);
  t.teardown(() => silent.close());
  t.deepEqual(await roundTrip(socketPath, '{"id":1,"cmd":"echo","args":{"text":"x"}}\n'), {
    id: 1,
    ok: true,
    result: { echoed: 'x' },
  });
  await eventually(() => silent.closed, 10_000, 'the idle client to be closed');
  await eventually(() => server.connectionCount === 0, 10_000, 'no connections');
});

test('200 clients at once all get their own answers', async (t) => {
  const { socketPath } = await startServer(t);
  const clients = await Promise.all(Array.from({ length: 200 }, () => ControlClient.connect(socketPath)));
  t.teardown(() => clients.forEach((client) => client.close()));
  // echo is this test's own command, outside the contract: its results are as sent.
  const results = (await Promise.all(clients.map((client, index) => client.send('echo', { text: `client-${index}` })))) as Array<{ echoed: string }>;
  t.deepEqual(
    results.map((result) => result.echoed),
    clients.map((_client, index) => `client-${index}`),
  );
});

test('subscribe streams matching events until the client closes', async (t) => {
  const { socketPath, bus } = await startServer(t);
  const client = await ControlClient.connect(socketPath);
  const events: unknown[] = [];
  await client.subscribe(['prefetch'], (event) => events.push(event));
  bus.publish({ event: 'prefetch.progress', key: 'loras/a.safetensors', bytes: 10 });
  bus.publish({ event: 'cache.evicted', key: 'loras/b.safetensors' });
  bus.publish({ event: 'prefetch.done', key: 'loras/a.safetensors' });
  await eventually(() => events.length === 2, 10_000, 'two events');
  t.deepEqual(events, [
    { event: 'prefetch.progress', key: 'loras/a.safetensors', bytes: 10 },
    { event: 'prefetch.done', key: 'loras/a.safetensors' },
  ]);
  t.is(bus.subscriberCount, 1);
  client.close();
  await eventually(() => bus.subscriberCount === 0, 10_000, 'the subscription to end');
});

test('subscribers hear that the daemon stops', async (t) => {
  const { socketPath, server } = await startServer(t);
  const client = await ControlClient.connect(socketPath);
  const events: Array<{ event: string }> = [];
  let closed = false;
  client.onClose(() => {
    closed = true;
  });
  await client.subscribe([], (event) => events.push(event));
  await server.close(100);
  await eventually(() => closed, 10_000, 'the client to be closed');
  t.deepEqual(events, [{ event: 'daemon.stopping' }]);
});

test('the client reports a daemon that is not running, naming the socket', async (t) => {
  const dir = await tempDir(t);
  const socketPath = path.join(dir, 'none.sock');
  const error = await t.throwsAsync(ControlClient.connect(socketPath), { instanceOf: DaemonUnreachableError });
  t.is(error.message, `arenad is not running: nothing answers on ${socketPath} (no socket there)`);
});

test('the client rejects with the daemon error code', async (t) => {
  const { socketPath } = await startServer(t);
  const client = await ControlClient.connect(socketPath);
  t.teardown(() => client.close());
  const error = await t.throwsAsync(client.send('fail'), { instanceOf: RemoteError });
  t.is(error.code, 'E_PATH');
});

test('a server that was refused never removes the socket of the daemon that owns it', async (t) => {
  const { socketPath } = await startServer(t);
  const refused = new ControlServer({ socketPath, registry: new CommandRegistry(), logger: silentLogger, uid });
  await t.throwsAsync(refused.listen(), { instanceOf: AlreadyRunningError });
  await refused.close(100);
  t.true(fs.existsSync(socketPath));
  t.deepEqual(await roundTrip(socketPath, '{"id":1,"cmd":"echo","args":{"text":"mine"}}\n'), {
    id: 1,
    ok: true,
    result: { echoed: 'mine' },
  });
});

test('a client that spoke once keeps its connection past the first-line timeout, until it idles out', async (t) => {
  const { socketPath } = await startServer(t, { firstLineTimeoutMs: 1000, idleTimeoutMs: 4000 });
  const talker = await RawSocket.connect(socketPath);
  const silent = await RawSocket.connect(socketPath);
  t.teardown(() => [talker, silent].forEach((client) => client.close()));
  talker.write('{"id":1,"cmd":"echo","args":{"text":"x"}}\n');
  await talker.waitFor(1);
  await eventually(() => silent.closed, 10_000, 'the silent client to be closed');
  t.false(talker.closed, 'the client that spoke is still connected');
  await eventually(() => talker.closed, 10_000, 'the idle talker to be closed after the idle timeout');
});

test('at the connection limit the longest-idle connection makes room; when all are busy a newcomer gets E_BUSY', async (t) => {
  const { socketPath } = await startServer(t, { maxConnections: 4 });
  const idle: RawSocket[] = [];
  for (let index = 0; index < 4; index += 1) {
    const client = await RawSocket.connect(socketPath);
    client.write(`{"id":${index},"cmd":"echo","args":{"text":"x"}}\n`);
    await client.waitFor(1);
    idle.push(client);
  }
  t.teardown(() => idle.forEach((client) => client.close()));
  t.deepEqual(await roundTrip(socketPath, '{"id":9,"cmd":"echo","args":{"text":"y"}}\n'), { id: 9, ok: true, result: { echoed: 'y' } });
  await eventually(() => idle[0]!.closed, 10_000, 'the longest-idle connection to be closed');
  t.false(idle[3]!.closed);

  const streams = await Promise.all(Array.from({ length: 4 }, () => ControlClient.connect(socketPath)));
  t.teardown(() => streams.forEach((client) => client.close()));
  for (const stream of streams) await stream.subscribe(['prefetch'], () => undefined);
  const refused = (await roundTrip(socketPath, '{"id":10,"cmd":"echo","args":{"text":"z"}}\n')) as {
    ok: boolean;
    error: { code: string; message: string };
  };
  t.false(refused.ok);
  t.is(refused.error.code, 'E_BUSY');
  t.regex(refused.error.message, /4 connections open, all busy/);
});

test('a client that writes requests and reads no replies is not read further, does not slow others, and is dropped', async (t) => {
  let handled = 0;
  const counting = (bus: EventBus) =>
    registryWith(bus).add({
      name: 'big',
      summary: 'test',
      args: z.object({}).strict(),
      run: () => {
        handled += 1;
        return { text: 'x'.repeat(16 * 1024) };
      },
    });
  const { socketPath, server } = await startServer(t, { maxPendingReplyBytes: 64 * 1024, replyStallMs: 1500 }, counting);
  const flood = net.connect(socketPath);
  // Being dropped mid-write is what the test expects.
  flood.on('error', () => undefined);
  t.teardown(() => flood.destroy());
  await new Promise((resolve) => flood.once('connect', resolve));
  flood.pause();
  const lines = '{"id":1,"cmd":"big","args":{}}\n'.repeat(20_000);
  flood.write(lines);
  await new Promise((resolve) => setTimeout(resolve, 500));
  // The kernel's socket buffers hold a few hundred KiB of replies; the daemon stops at its limit past that.
  t.true(handled < 200, `handled ${handled} of 20000 requests from a client that reads nothing`);
  t.deepEqual(await roundTrip(socketPath, '{"id":2,"cmd":"echo","args":{"text":"still here"}}\n'), {
    id: 2,
    ok: true,
    result: { echoed: 'still here' },
  });
  await eventually(() => flood.destroyed || flood.readableEnded || server.connectionCount === 0, 10_000, 'the flooding client to be dropped');
  t.true(handled < 200);
});
