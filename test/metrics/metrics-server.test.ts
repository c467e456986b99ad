import http from 'node:http';
import net from 'node:net';
import test, { type ExecutionContext } from 'ava';
import sinon from 'sinon';
import { silentLogger } from '../../src/log/logger.js';
import { MetricsServer, MetricsService, type Scrape } from '../../src/metrics/index.js';
import { METRICS_MAX_CONNECTIONS } from '../../src/metrics/metrics-server.js';
import { eventually } from '../helpers/raw-socket.js';

const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

async function startServer(
  t: ExecutionContext,
  scrape: () => Promise<Scrape> = () => Promise.resolve({ contentType: CONTENT_TYPE, body: 'arena_up 1\n' }),
) {
  const server = new MetricsServer({ listen: { host: '127.0.0.1', port: 0 }, scrape, logger: silentLogger });
  t.teardown(() => server.stop());
  await server.start();
  t.is(server.problem(), undefined);
  return server;
}

function get(port: number, path: string, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, path, method, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

/** A plain TCP server holding a port, as another program would. */
async function occupyPort(t: ExecutionContext): Promise<{ port: number; release: () => Promise<void> }> {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const release = () => new Promise<void>((resolve) => (blocker.listening ? blocker.close(() => resolve()) : resolve()));
  t.teardown(release);
  return { port: (blocker.address() as net.AddressInfo).port, release };
}

test('GET /metrics answers the scrape with its content type; a query string is ignored; HEAD has no body', async (t) => {
  const server = await startServer(t);
  const response = await get(server.port!, '/metrics');
  t.is(response.status, 200);
  t.is(response.headers['content-type'], CONTENT_TYPE);
  t.is(response.body, 'arena_up 1\n');
  t.is((await get(server.port!, '/metrics?name[]=arena_up')).body, 'arena_up 1\n');
  const head = await get(server.port!, '/metrics', 'HEAD');
  t.is(head.status, 200);
  t.is(head.body, '');
});

test('other paths are 404 and other methods 405, and the server keeps answering', async (t) => {
  const server = await startServer(t);
  for (const path of ['/', '/favicon.ico', '/metrics/', '/metrics/extra', '/../etc/passwd', '/%00'])
    t.is((await get(server.port!, path)).status, 404, path);
  const post = await get(server.port!, '/metrics', 'POST');
  t.is(post.status, 405);
  t.is(post.headers.allow, 'GET, HEAD');
  t.is((await get(server.port!, '/metrics')).status, 200);
});

test('a garbage request line gets a 400 and the server keeps answering', async (t) => {
  const server = await startServer(t);
  const reply = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(server.port!, '127.0.0.1', () => socket.write('\x00\x01 not http at all\r\n\r\n'));
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
  t.regex(reply, /^HTTP\/1\.1 400/);
  t.is((await get(server.port!, '/metrics')).status, 200);
});

test('a failing scrape is a 500 with the reason, and the next one works', async (t) => {
  let fail = true;
  const server = await startServer(t, () =>
    fail ? Promise.reject(new Error('registry broke')) : Promise.resolve({ contentType: CONTENT_TYPE, body: 'arena_up 1\n' }),
  );
  const failed = await get(server.port!, '/metrics');
  t.is(failed.status, 500);
  t.regex(failed.body, /registry broke/);
  fail = false;
  t.is((await get(server.port!, '/metrics')).status, 200);
});

test('a port in use is a problem, not a failure; once the port is free the server binds and the problem clears', async (t) => {
  const { port, release } = await occupyPort(t);
  const onProblemChange = sinon.spy();
  const server = new MetricsServer({
    listen: { host: '127.0.0.1', port },
    scrape: () => Promise.resolve({ contentType: CONTENT_TYPE, body: 'arena_up 1\n' }),
    logger: silentLogger,
    onProblemChange,
    retryMs: 50,
  });
  t.teardown(() => server.stop());
  await server.start();
  t.regex(server.problem() ?? '', new RegExp(`^metrics port 127\\.0\\.0\\.1:${port} is in use; set metrics\\.listen \\(ARENA_METRICS_LISTEN\\)`));
  t.is(server.port, undefined);
  t.is(onProblemChange.callCount, 1);
  await release();
  await eventually(() => server.problem() === undefined, 10_000, 'the server to bind after the port was freed');
  t.is(onProblemChange.callCount, 2);
  t.is(server.port, port);
  t.is((await get(port, '/metrics')).status, 200);
});

test('an address that is not on this machine is a problem that says so', async (t) => {
  // 192.0.2.0/24 is TEST-NET-1: never assigned to a local interface.
  const server = new MetricsServer({
    listen: { host: '192.0.2.1', port: 9777 },
    scrape: () => Promise.resolve({ contentType: CONTENT_TYPE, body: '' }),
    logger: silentLogger,
  });
  t.teardown(() => server.stop());
  await server.start();
  t.regex(server.problem() ?? '', /^metrics address 192\.0\.2\.1:9777 is not an address of this machine/);
});

test('stop returns while a scraper holds a keep-alive connection open, and frees the port', async (t) => {
  const server = await startServer(t);
  const port = server.port!;
  const agent = new http.Agent({ keepAlive: true });
  t.teardown(() => agent.destroy());
  await new Promise<void>((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/metrics', agent }, (response) => {
        response.resume();
        response.on('end', resolve);
      })
      .on('error', reject);
  });
  await server.stop();
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(port, '127.0.0.1', resolve);
  });
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  t.pass();
});

test('the service with metrics.listen off opens nothing and reports nothing; a value it cannot read is a problem', async (t) => {
  const sources = {
    version: '1',
    events: { subscribe: sinon.fake.returns(() => undefined) },
    daemon: () => ({
      state: 'ready' as const,
      problems: [],
      comfy: { reachable: null },
      library: { folders: [], roots: [], bytes: 0, unavailableModels: 0 },
    }),
    cache: () => undefined,
    updates: () => undefined,
    catalog: () => undefined,
  };
  const off = await MetricsService.start({ listen: 'off', sources, logger: silentLogger });
  t.deepEqual(off.problems(), []);
  t.is(off.port, undefined);
  t.is(sources.events.subscribe.callCount, 0, 'nothing counts events when metrics are off');
  await off.stop();
  const broken = await MetricsService.start({ listen: 'not an address', sources, logger: silentLogger });
  t.deepEqual(broken.problems(), ['metrics.listen "not an address" is not HOST:PORT; metrics are off until it is fixed']);
  await broken.stop();
});

test('a stop that comes while the server is still binding leaves nothing listening', async (t) => {
  const server = new MetricsServer({
    listen: { host: '127.0.0.1', port: 0 },
    scrape: () => Promise.resolve({ contentType: CONTENT_TYPE, body: '' }),
    logger: silentLogger,
  });
  const starting = server.start();
  await server.stop();
  await starting;
  t.is(server.port, undefined);
  t.is(server.problem(), undefined);
});

test(`past ${METRICS_MAX_CONNECTIONS} connections a newcomer is dropped at once, and a scrape works again when they go`, async (t) => {
  const server = await startServer(t);
  const held: net.Socket[] = [];
  t.teardown(() => held.forEach((socket) => socket.destroy()));
  for (let index = 0; index < METRICS_MAX_CONNECTIONS; index += 1) {
    const socket = net.connect(server.port!, '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    held.push(socket);
  }
  await eventually(
    async () => {
      const extra = net.connect(server.port!, '127.0.0.1');
      extra.on('error', () => undefined);
      const closed = await new Promise<boolean>((resolve) => {
        extra.once('close', () => resolve(true));
        setTimeout(() => resolve(false), 1000);
      });
      extra.destroy();
      return closed;
    },
    10_000,
    'a connection past the limit to be closed by the server',
  );
  held.forEach((socket) => socket.destroy());
  await eventually(async () => (await get(server.port!, '/metrics').catch(() => ({ status: 0 }))).status === 200, 10_000, 'a scrape to answer again');
});
