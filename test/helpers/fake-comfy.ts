/**
 * A stand-in for ComfyUI's HTTP API, on a real socket (127.0.0.1, a free
 * port): `GET /queue` answers with the running and pending lists a test sets,
 * or fails as told (HTTP 500, a body that is not JSON). It can be stopped and
 * started again on the same port, as ComfyUI restarting would.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionContext } from 'ava';

/** One queue item as ComfyUI lists it: `[number, prompt_id, prompt, extra_data, outputs]`. */
export type QueueItem = unknown[];

export type FakeComfyMode = 'queue' | 'http-500' | 'not-json' | 'not-a-queue';

export function queueItem(number: number, promptId: string, prompt: unknown): QueueItem {
  return [number, promptId, prompt, { client_id: 'fake-client' }, ['9']];
}

export class FakeComfy {
  running: unknown[] = [];
  pending: unknown[] = [];
  mode: FakeComfyMode = 'queue';
  /** Requests answered, whatever the answer. */
  requests = 0;
  private server: Server | undefined;
  private port = 0;

  /** Starts a fake on a free port, stopped when the test ends. */
  static async start(t: ExecutionContext): Promise<FakeComfy> {
    const fake = new FakeComfy();
    await fake.listen();
    t.teardown(() => fake.stop());
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Listens again (on the port it had before, if any). */
  async listen(): Promise<void> {
    if (this.server !== undefined) return;
    const server = createServer((request, response) => this.answer(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  /** Closes the port and every open connection, as a ComfyUI that exits. */
  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private answer(request: IncomingMessage, response: ServerResponse): void {
    this.requests += 1;
    if (request.method !== 'GET' || request.url !== '/queue') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('404: Not Found');
      return;
    }
    switch (this.mode) {
      case 'http-500':
        response.writeHead(500, { 'content-type': 'text/plain' }).end('500 Internal Server Error');
        return;
      case 'not-json':
        response.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>a router login page</body></html>');
        return;
      case 'not-a-queue':
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok' }));
        return;
      case 'queue':
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ queue_running: this.running, queue_pending: this.pending }));
    }
  }
}
