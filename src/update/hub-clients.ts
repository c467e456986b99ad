/**
 * The two hubs' clients for the configured endpoints, each with its own
 * token: a token is only ever sent to its own hub (hub-http.ts).
 */
import type { Credentials } from '../config/credentials.js';
import type { Logger } from '../log/logger.js';
import { CivitaiClient } from './civitai-client.js';
import { HfClient } from './hf-client.js';
import { HubHttp, type FetchFunction } from './hub-http.js';
import type { RateLimitPolicy } from './rate-limit.js';
import type { Sleep } from './sleep.js';
import type { UpdateSettings } from './update-settings.js';

export interface HubClientOptions {
  readonly credentials: Credentials;
  readonly logger: Logger;
  readonly sleep: Sleep;
  /** Stand-ins for tests: a fetch that reaches a fake hub, a backoff with exact waits. */
  readonly fetch?: FetchFunction;
  readonly backoff?: RateLimitPolicy;
}

export interface HubClients {
  readonly hf: HfClient;
  readonly civitai: CivitaiClient;
}

export function hubClients(settings: UpdateSettings, options: HubClientOptions): HubClients {
  const { credentials, logger, sleep, fetch, backoff } = options;
  const common = { logger, sleep, ...(fetch ? { fetch } : {}), ...(backoff ? { backoff } : {}) };
  return {
    hf: new HfClient(
      new HubHttp({ ...common, hub: 'Hugging Face', endpoint: settings.hfEndpoint, ...(credentials.hfToken ? { token: credentials.hfToken } : {}) }),
    ),
    civitai: new CivitaiClient(
      new HubHttp({
        ...common,
        hub: 'CivitAI',
        endpoint: settings.civitaiEndpoint,
        ...(credentials.civitaiToken ? { token: credentials.civitaiToken } : {}),
      }),
    ),
  };
}
