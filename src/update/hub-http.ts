/**
 * HTTP to one model hub. The token goes only in `Authorization: Bearer`, and
 * only to the hub's own origin: redirects are followed here, hop by hop,
 * so a redirect to a CDN (another host) carries no token. A 429 is retried
 * after the wait the hub asks for, or with exponential backoff.
 */
import type { Logger } from '../log/logger.js';
import { describeFetchFailure } from '../core/fetch-failure.js';
import { formatBytes } from '../core/byte-size.js';
import { VERSION } from '../package-info.js';
import { BodyTooLarge, discardBody, MiB, readCappedText } from './capped-body.js';
import { HubResponseError, HubUnreachableError, RateLimitedError } from './errors.js';
import { DEFAULT_BACKOFF, retryDelayMs, type RateLimitPolicy } from './rate-limit.js';
import { sleep, type Sleep } from './sleep.js';

export type FetchFunction = (input: URL, init: RequestInit) => Promise<Response>;

export interface HubHttpOptions {
  /** `Hugging Face`, `CivitAI`: for messages. */
  readonly hub: string;
  readonly endpoint: string;
  readonly token?: string;
  readonly backoff?: RateLimitPolicy;
  readonly logger: Logger;
  readonly fetch?: FetchFunction;
  readonly sleep?: Sleep;
  readonly now?: () => number;
}

export interface HubRequest {
  readonly method?: 'GET' | 'HEAD';
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  /** `none` returns a 3xx as it is (a HEAD on Hugging Face's resolve carries the file's headers on its 302). */
  readonly redirects?: 'follow' | 'none';
}

const MAX_REDIRECTS = 8;
const API_TIMEOUT_MS = 60_000;

/**
 * The most an API answer may hold. The updater asks for a revision's file
 * list or a model's versions: kilobytes for most models, and well under a
 * MiB for repositories of hundreds of files or models of hundreds of
 * versions. 8 MiB leaves ample room for those while keeping what one answer
 * can cost the daemon small: the text, and JSON.parse's objects at a few
 * times its size. Anything larger is not an answer to these questions.
 */
export const MAX_API_BODY_BYTES = 8 * MiB;
const USER_AGENT = `comfyui-arena/${VERSION}`;

/** A URL for messages and logs: origin and path only, since CDN queries carry signatures. */
export function shownUrl(url: string | URL): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

export class HubHttp {
  readonly hub: string;
  readonly endpoint: string;
  readonly #origin: string;
  readonly #token?: string;
  readonly #backoff: RateLimitPolicy;
  readonly #logger: Logger;
  readonly #fetch: FetchFunction;
  readonly #sleep: Sleep;
  readonly #now: () => number;

  constructor(options: HubHttpOptions) {
    this.hub = options.hub;
    this.endpoint = options.endpoint.replace(/\/+$/, '');
    this.#origin = new URL(this.endpoint).origin;
    if (options.token !== undefined) this.#token = options.token;
    this.#backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.#logger = options.logger;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#sleep = options.sleep ?? sleep;
    this.#now = options.now ?? Date.now;
  }

  get hasToken(): boolean {
    return this.#token !== undefined;
  }

  /** An absolute URL on the hub from a path such as `/api/models/x`. */
  url(pathAndQuery: string): string {
    return `${this.endpoint}${pathAndQuery}`;
  }

  /** One request, 429s retried; the response of any other status is the caller's to judge. */
  async request(url: string, init: HubRequest = {}): Promise<Response> {
    let waitedMs = 0;
    for (let attempt = 0; ; attempt += 1) {
      const response = await this.#follow(url, init);
      if (response.status !== 429) return response;
      await discardBody(response);
      const delay = retryDelayMs(response.headers, attempt, this.#backoff, this.#now());
      if (attempt + 1 >= this.#backoff.attempts) {
        throw new RateLimitedError(
          `${this.hub} still answers 429 (too many requests) for ${shownUrl(url)} after ${attempt + 1} tries over ${Math.round(waitedMs / 1000)} s; the next check or update window tries again`,
        );
      }
      if (delay > this.#backoff.maxWaitMs) {
        throw new RateLimitedError(
          `${this.hub} rate limit reached (${shownUrl(url)}); it resets in ${Math.ceil(delay / 1000)} s, so this check stops here; the next check or update window tries again`,
        );
      }
      this.#logger.warn('rate limited by the hub; backing off', { hub: this.hub, url: shownUrl(url), delayMs: delay, attempt: attempt + 1 });
      await this.#sleep(delay, init.signal);
      waitedMs += delay;
    }
  }

  /** GET and parse JSON, within a time limit; non-2xx answers go to `onError`, which must throw. */
  async json(url: string, onError: (response: Response) => Promise<never>, signal?: AbortSignal): Promise<unknown> {
    const limit = AbortSignal.timeout(API_TIMEOUT_MS);
    const combined = signal ? AbortSignal.any([signal, limit]) : limit;
    try {
      const response = await this.request(url, { signal: combined, headers: { accept: 'application/json' } });
      if (!response.ok) return await onError(response);
      return JSON.parse(await readCappedText(response, MAX_API_BODY_BYTES));
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (limit.aborted)
        throw new HubUnreachableError(`${this.hub} did not answer ${shownUrl(url)} within ${API_TIMEOUT_MS / 1000} s`, { cause: error });
      if (error instanceof SyntaxError)
        throw new HubResponseError(`${this.hub} answered ${shownUrl(url)} with a body that is not JSON`, { cause: error });
      if (error instanceof BodyTooLarge) {
        const cap = `${MAX_API_BODY_BYTES / MiB} MiB`;
        const what =
          error.announced === undefined
            ? `more than ${cap}, which no answer of this API needs; it was refused and the rest left unread`
            : `${formatBytes(error.announced)} (its Content-Length), more than ${cap}, which no answer of this API needs; it was refused unread`;
        throw new HubResponseError(`${this.hub} answered ${shownUrl(url)} with ${what}`, { cause: error });
      }
      throw error;
    }
  }

  async #follow(url: string, init: HubRequest): Promise<Response> {
    let current = new URL(url);
    for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
      const headers: Record<string, string> = { 'user-agent': USER_AGENT, ...init.headers };
      // The token belongs to the hub: a redirect to a CDN on another host goes without it.
      if (this.#token !== undefined && current.origin === this.#origin) headers.authorization = `Bearer ${this.#token}`;
      let response: Response;
      try {
        response = await this.#fetch(current, {
          method: init.method ?? 'GET',
          headers,
          redirect: 'manual',
          ...(init.signal ? { signal: init.signal } : {}),
        });
      } catch (error) {
        if (init.signal?.aborted) throw init.signal.reason;
        throw new HubUnreachableError(
          `cannot reach ${this.hub} at ${current.origin} (${describeFetchFailure(error)}); check the network and updates endpoints`,
          {
            cause: error,
          },
        );
      }
      const location = response.headers.get('location');
      if (init.redirects === 'none' || response.status < 300 || response.status > 399 || location === null) return response;
      await discardBody(response);
      const next = new URL(location, current);
      this.#logger.debug('following a redirect', { hub: this.hub, from: shownUrl(current), to: shownUrl(next) });
      current = next;
    }
    throw new HubResponseError(`${this.hub} redirected ${shownUrl(url)} more than ${MAX_REDIRECTS} times`);
  }
}
