/**
 * How long to wait after a 429. Hugging Face says when its window resets
 * (`RateLimit: "api";r=0;t=89`); some servers send `Retry-After`; CivitAI
 * sends neither, so the wait grows by the product's backoff (core/backoff.ts)
 * from the policy's first delay up to its cap, with jitter so that updaters
 * refused together do not come back together.
 */
import { backoffDelay, type BackoffPolicy } from '../core/backoff.js';

export interface RateLimitPolicy extends BackoffPolicy {
  /** Tries in all, the first included. */
  readonly attempts: number;
  /** A server asking for a longer wait than this ends the request: the check says so instead of hanging. */
  readonly maxWaitMs: number;
}

export const DEFAULT_BACKOFF: RateLimitPolicy = { firstMs: 1000, maxMs: 30_000, jitter: 0.5, attempts: 7, maxWaitMs: 60_000 };

/** Seconds from `Retry-After` (seconds or an HTTP date), or undefined. */
function retryAfterMs(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The reset time (`t=`, seconds) of the IETF RateLimit header that Hugging Face sends. */
function rateLimitResetMs(value: string | null): number | undefined {
  const match = value === null ? null : /(?:^|[;,\s])t=(\d+)/.exec(value);
  return match ? Number(match[1]) * 1000 : undefined;
}

/**
 * The wait before try `attempt + 1` (attempt 0 is the first try that got a
 * 429). A wait the server announces is taken as it is, without jitter: it
 * knows when its window resets.
 */
export function retryDelayMs(headers: Headers, attempt: number, policy: RateLimitPolicy, now: number, random?: () => number): number {
  const announced = retryAfterMs(headers.get('retry-after'), now) ?? rateLimitResetMs(headers.get('ratelimit'));
  if (announced !== undefined) return Math.max(announced, policy.firstMs);
  return backoffDelay(attempt + 1, policy, random);
}
