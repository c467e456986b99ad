import test from 'ava';
import { createServer, type AddressInfo } from 'node:net';
import { describeFetchFailure } from '../../src/core/fetch-failure.js';

const fetchFailed = (code: string, message = `connect ${code}`) =>
  Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(message), { code }) });

test('socket errors, timeouts and the rest become short reasons', async (t) => {
  t.is(describeFetchFailure(fetchFailed('ECONNREFUSED'), 5_000), 'connection refused');
  t.is(describeFetchFailure(fetchFailed('ENOTFOUND'), 5_000), 'host not found');
  t.is(describeFetchFailure(fetchFailed('EPROTO', 'wrong version number\nmore'), 5_000), 'wrong version number');
  t.is(describeFetchFailure(new DOMException('The operation was aborted due to timeout', 'TimeoutError'), 2_500), 'no answer within 2.5 s');
  t.is(describeFetchFailure('odd', 1_000), 'odd');
  // And a real one, from a port where nothing listens any more.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  const refused = await fetch(`http://127.0.0.1:${port}/queue`).catch((error: unknown) => error);
  t.is(describeFetchFailure(refused, 1_000), 'connection refused');
});

test('without a known timeout, a timeout is said plainly', (t) => {
  t.is(describeFetchFailure(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), 'no answer in time');
});
