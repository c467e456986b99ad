import { formatBytes } from '../byte-size.js';
import { entryValue, type ValueContext, type ValuedModel } from './entry-value.js';

export interface CachedModel extends ValuedModel {
  readonly cachedAt: number;
}

export interface Victim {
  readonly key: string;
  readonly bytes: number;
  readonly value: number;
  /** Why it is worth little: the entry value's reason. */
  readonly reason: string;
}

export type VictimChoice =
  { readonly ok: true; readonly victims: readonly Victim[]; readonly freedBytes: number } | { readonly ok: false; readonly reason: string };

/** Entries in eviction order: least valuable first; among equals the longest cached. */
export function rankForEviction(entries: readonly CachedModel[], context: ValueContext): Array<Victim & { cachedAt: number }> {
  return entries
    .map((entry) => ({ key: entry.key, bytes: entry.bytes, cachedAt: entry.cachedAt, ...entryValue(entry, context) }))
    .sort((a, b) => a.value - b.value || a.cachedAt - b.cachedAt || b.bytes - a.bytes);
}

/**
 * The least valuable entries that together free `needBytes`. With
 * `admitting`, this is admission control: only entries worth less per byte
 * than the newcomer may go, so a one-off model never flushes a working set.
 */
export function chooseVictims(
  entries: readonly CachedModel[],
  needBytes: number,
  context: ValueContext,
  admitting?: { readonly key: string; readonly value: number },
): VictimChoice {
  if (needBytes <= 0) return { ok: true, victims: [], freedBytes: 0 };
  const ranked = rankForEviction(entries, context).filter((entry) => entry.value !== Infinity);
  const eligible = admitting === undefined ? ranked : ranked.filter((entry) => entry.value < admitting.value);
  const victims: Victim[] = [];
  let freedBytes = 0;
  for (const [index, entry] of eligible.entries()) {
    const remaining = needBytes - freedBytes;
    if (entry.bytes >= remaining) {
      // The last victim: of the entries that alone cover what is left, the one whose loss costs least
      // in all (value per byte times bytes), so that freeing a little never throws out a big model.
      const last = eligible
        .slice(index)
        .filter((candidate) => candidate.bytes >= remaining)
        .reduce((best, candidate) => (candidate.value * candidate.bytes < best.value * best.bytes ? candidate : best));
      victims.push({ key: last.key, bytes: last.bytes, value: last.value, reason: last.reason });
      return { ok: true, victims, freedBytes: freedBytes + last.bytes };
    }
    victims.push({ key: entry.key, bytes: entry.bytes, value: entry.value, reason: entry.reason });
    freedBytes += entry.bytes;
  }
  if (admitting !== undefined && eligible.length < ranked.length) {
    const blocker = ranked[eligible.length]!;
    return {
      ok: false,
      reason: `making room for ${admitting.key} would evict ${blocker.key} (${blocker.reason}), which is worth more to keep`,
    };
  }
  return { ok: false, reason: `only ${formatBytes(freedBytes)} could be freed without touching pinned models; ${formatBytes(needBytes)} are needed` };
}

/** The entries a trim removes to bring the cache down to `targetBytes`, least valuable first. */
export function trimPlan(entries: readonly CachedModel[], targetBytes: number, context: ValueContext): Victim[] {
  const total = entries.reduce((sum, entry) => sum + entry.bytes, 0);
  const choice = chooseVictims(entries, total - targetBytes, context);
  if (choice.ok) return [...choice.victims];
  // Pinned models stop the trim short of its target: remove everything else.
  return rankForEviction(entries, context)
    .filter((entry) => entry.value !== Infinity)
    .map(({ key, bytes, value, reason }) => ({ key, bytes, value, reason }));
}
