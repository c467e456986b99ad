/** Short human reasons for a failed HTTP request, for status lines and logs. */

/** Node's fetch wraps socket errors as `TypeError('fetch failed')` with the system error as `cause`. */
const REASON_OF_CODE: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
};

/** Shared by every HTTP client of the daemon (the ComfyUI queue, the model hubs). */
export function describeFetchFailure(error: unknown, timeoutMs?: number): string {
  if (nameOf(error) === 'TimeoutError') return timeoutMs === undefined ? 'no answer in time' : `no answer within ${timeoutMs / 1000} s`;
  const cause = (error as { cause?: unknown } | null)?.cause;
  for (const candidate of [cause, error]) {
    const code = (candidate as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && REASON_OF_CODE[code] !== undefined) return REASON_OF_CODE[code];
  }
  const message = cause instanceof Error ? cause.message : error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

function nameOf(error: unknown): string | undefined {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : undefined;
}
