/** Where the metrics server listens: the parsed form of `metrics.listen`. */
export interface ListenAddress {
  /** A host name or address; IPv6 without its brackets. */
  readonly host: string;
  readonly port: number;
}

/**
 * Reads `metrics.listen` as the configuration left it: `off`, or
 * `HOST:PORT` with an IPv6 host in brackets (`[::1]:9777`). The
 * configuration has already refused anything else, so undefined (no parse)
 * is for the caller to report as a problem rather than to crash on.
 */
export function parseListenAddress(text: string): ListenAddress | 'off' | undefined {
  const value = text.trim();
  if (value.toLowerCase() === 'off') return 'off';
  const match = /^(?:\[([0-9a-f:.]+)\]|([\w.-]+)):(\d{1,5})$/i.exec(value);
  if (match === null) return undefined;
  const port = Number(match[3]);
  if (port > 65535) return undefined;
  return { host: match[1] ?? match[2]!, port };
}

/** `127.0.0.1:9777`, `[::1]:9777`: the form users typed, for messages. */
export function formatListenAddress(address: ListenAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
