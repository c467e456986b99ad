/**
 * What a generation's models were, for the hit ratio: a hit when a complete
 * copy was on the SSD before the run started (a copy that lands a second
 * later did not help that run), a miss otherwise. One rule for the daemon's
 * counters and the simulator's.
 */
export function runOutcome(
  keys: readonly string[],
  startedAt: number,
  cachedAt: (key: string) => number | undefined,
): { hits: string[]; misses: string[] } {
  const hits: string[] = [];
  const misses: string[] = [];
  for (const key of keys) {
    const at = cachedAt(key);
    if (at !== undefined && at <= startedAt) hits.push(key);
    else misses.push(key);
  }
  return { hits, misses };
}
