import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { redactText } from '../log/redact.js';
import { messageOf } from '../core/arena-error.js';
import type { Logger } from '../log/logger.js';
import type { Scrape } from './arena-metrics.js';
import { formatListenAddress, type ListenAddress } from './listen-address.js';

export const METRICS_PATH = '/metrics';

export interface MetricsServerOptions {
  readonly listen: ListenAddress;
  readonly scrape: () => Promise<Scrape>;
  readonly logger: Logger;
  /** Called when the problem appears or clears, so the daemon can refresh its state. */
  readonly onProblemChange?: () => void;
  /** How long to wait before trying a refused address again. */
  readonly retryMs?: number;
}

const DEFAULT_RETRY_MS = 60_000;

/**
 * Serves `GET /metrics` over HTTP. Nothing it meets may stop the daemon:
 * another path answers 404, another method 405, a failed scrape 500, and an
 * address it cannot bind becomes a problem in status (the daemon runs on,
 * degraded) while it tries again every minute, since the port may
 * free up.
 */
/** Scrapers at once; past it the kernel's backlog holds them, and then they are refused. */
export const METRICS_MAX_CONNECTIONS = 16;
/** A request that has not arrived whole by then is dropped (a slow-loris client holds nothing for long). */
export const METRICS_REQUEST_TIMEOUT_MS = 10_000;

export class MetricsServer {
  readonly #options: MetricsServerOptions;
  readonly #server: http.Server;
  #problem?: string;
  #retry?: NodeJS.Timeout;
  #stopped = false;

  constructor(options: MetricsServerOptions) {
    this.#options = options;
    // #answer turns a failed scrape into a 500; the catch is the net for a response that cannot be written.
    this.#server = http.createServer(
      (request, response) =>
        void this.#answer(request, response).catch((error: unknown) =>
          this.#options.logger.warn('answering a metrics request failed', { err: error }),
        ),
    );
    // Bounded like every listener of the daemon (docs/security.md): a scraper needs one connection and a second.
    this.#server.maxConnections = METRICS_MAX_CONNECTIONS;
    this.#server.headersTimeout = METRICS_REQUEST_TIMEOUT_MS;
    this.#server.requestTimeout = METRICS_REQUEST_TIMEOUT_MS;
    // A scraper that sends garbage gets a 400 and a closed socket, never an exception.
    this.#server.on('clientError', (_error, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
  }

  /** Binds, or records why not and tries again later; never rejects. */
  async start(): Promise<void> {
    if (this.#stopped) return;
    const where = formatListenAddress(this.#options.listen);
    try {
      await this.#bind();
      // stop() may have come while the bind was under way: it found nothing listening to close.
      if (this.#stopped) return await this.stop();
      this.#setProblem(undefined);
      this.#options.logger.info('metrics listening', {
        url: `http://${formatListenAddress({ ...this.#options.listen, port: this.port! })}${METRICS_PATH}`,
      });
    } catch (error) {
      const retryMs = this.#options.retryMs ?? DEFAULT_RETRY_MS;
      this.#setProblem(bindProblem(where, error, retryMs));
      // start() does not reject; the catch is the net for anything it did not foresee.
      this.#retry = setTimeout(
        () => void this.start().catch((error: unknown) => this.#options.logger.warn('binding the metrics address again failed', { err: error })),
        retryMs,
      );
      this.#retry.unref();
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retry);
    if (!this.#server.listening) return;
    // Scrapers keep connections alive; close() alone would wait for them.
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  /** The bound port (the real one when 0 was asked for); undefined while not listening. */
  get port(): number | undefined {
    const address = this.#server.address() as AddressInfo | null;
    return address?.port;
  }

  problem(): string | undefined {
    return this.#problem;
  }

  #bind(): Promise<void> {
    const { host, port } = this.#options.listen;
    return new Promise((resolve, reject) => {
      const failed = (error: Error) => {
        this.#server.off('listening', listening);
        reject(error);
      };
      const listening = () => {
        this.#server.off('error', failed);
        this.#server.on('error', (error) => this.#options.logger.warn('the metrics server failed', { err: messageOf(error) }));
        resolve();
      };
      this.#server.once('error', failed);
      this.#server.once('listening', listening);
      this.#server.listen(port, host);
    });
  }

  async #answer(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const pathname = (request.url ?? '/').split('?')[0];
    if (pathname !== METRICS_PATH) return plain(response, 404, `not found: metrics are at ${METRICS_PATH}\n`);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      return plain(response, 405, `${METRICS_PATH} answers GET only\n`);
    }
    try {
      const scraped = await this.#options.scrape();
      const { contentType } = scraped;
      // The metrics leave the daemon: the same redaction as the log and the socket (a label is never meant to hold a secret).
      const body = redactText(scraped.body);
      response.writeHead(200, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
      response.end(request.method === 'HEAD' ? undefined : body);
    } catch (error) {
      this.#options.logger.warn('a /metrics scrape failed', { err: messageOf(error) });
      plain(response, 500, `the scrape failed: ${messageOf(error)}\n`);
    }
  }

  #setProblem(problem: string | undefined): void {
    if (problem === this.#problem) return;
    this.#problem = problem;
    this.#options.onProblemChange?.();
  }
}

function plain(response: http.ServerResponse, status: number, message: string): void {
  const text = redactText(message);
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}

/** One line for status: what is wrong with the address and how to fix it. */
function bindProblem(where: string, error: unknown, retryMs: number): string {
  const code = (error as NodeJS.ErrnoException).code;
  const fix = `set metrics.listen (ARENA_METRICS_LISTEN) to a free HOST:PORT, or off; tried again every ${Math.round(retryMs / 1000)} s`;
  switch (code) {
    case 'EADDRINUSE':
      return `metrics port ${where} is in use; ${fix}`;
    case 'EACCES':
      return `metrics port ${where} needs privileges this daemon lacks; use a port above 1023; ${fix}`;
    case 'EADDRNOTAVAIL':
      return `metrics address ${where} is not an address of this machine; ${fix}`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `metrics host in ${where} does not resolve; ${fix}`;
    default:
      return `metrics server cannot listen on ${where} (${messageOf(error)}); ${fix}`;
  }
}
