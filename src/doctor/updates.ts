/**
 * Doctor: the model hubs the updater talks to answer at all. Any HTTP answer
 * counts (a bare HEAD on a hub's root may well be a redirect or a 404); a
 * refused connection, a DNS failure or a timeout does not.
 */
import { messageOf } from '../core/arena-error.js';
import { fail, pass, warn, type CheckResult } from './check.js';

export interface Endpoint {
  /** The config key, such as updates.hfEndpoint. */
  readonly key: string;
  readonly url: string;
}

export interface UpdatesInput {
  /** updates.manifest: without one nothing is updated and nothing needs checking. */
  readonly manifest: string;
  readonly endpoints: readonly Endpoint[];
  readonly timeoutMs?: number;
}

async function answer(url: string, timeoutMs: number): Promise<number> {
  const request = (method: 'HEAD' | 'GET') => fetch(url, { method, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  const head = await request('HEAD');
  // Some servers refuse HEAD; ask once more the ordinary way.
  if (head.status !== 405 && head.status !== 501) return head.status;
  const get = await request('GET');
  await get.body?.cancel();
  return get.status;
}

function reason(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'no answer in time';
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? messageOf(error);
}

export async function checkUpdateEndpoints(input: UpdatesInput): Promise<CheckResult[]> {
  if (!input.manifest) return [pass('updates', 'updates are off (no updates.manifest), so the hubs are not needed')];
  const timeoutMs = input.timeoutMs ?? 5000;
  return Promise.all(
    input.endpoints.map(async ({ key, url }): Promise<CheckResult> => {
      const started = Date.now();
      try {
        const status = await answer(url, timeoutMs);
        const took = `HTTP ${status} in ${Date.now() - started} ms`;
        if (status >= 500)
          return warn('updates', `${key} ${url} answers with a server error (${took})`, 'the hub may be down; updates retry in the next window');
        return pass('updates', `${key} ${url} answers (${took})`);
      } catch (error) {
        return fail(
          'updates',
          `${key} ${url} cannot be reached: ${reason(error)}`,
          `check the network, a proxy or firewall, and ${key} in the config`,
        );
      }
    }),
  );
}
