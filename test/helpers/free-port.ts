import net from 'node:net';

/**
 * A TCP port on 127.0.0.1 that was free a moment ago: the kernel picks it,
 * and it is released at once for the caller's server. Another process could
 * take it in between; on a test machine that is rare enough.
 */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
