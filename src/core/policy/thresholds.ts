import { formatBytes } from '../byte-size.js';

/**
 * When to trim, in the cachefilesd style: above the quota's high-water mark
 * (cache.maxBytes), or with less than cache.minFreeBytes free on the disk,
 * the cache is trimmed down to a low-water mark, so that it does not trim
 * again after every copy.
 */
export interface TrimSettings {
  /** The high-water mark; 0 means no size quota. */
  readonly maxBytes: number;
  /** The low-water mark as a share of the quota (0..1), 0.9 by default. */
  readonly lowWater: number;
  readonly minFreeBytes: number;
}

export interface DiskState {
  readonly cacheBytes: number;
  readonly freeBytes: number;
}

export type TrimNeed = { readonly needed: false } | { readonly needed: true; readonly targetBytes: number; readonly reason: string };

export function trimNeed(state: DiskState, settings: TrimSettings): TrimNeed {
  const targets: Array<{ targetBytes: number; reason: string }> = [];
  if (settings.maxBytes > 0 && state.cacheBytes > settings.maxBytes) {
    const targetBytes = Math.floor(settings.maxBytes * settings.lowWater);
    targets.push({
      targetBytes,
      reason: `the cache holds ${formatBytes(state.cacheBytes)}, over its ${formatBytes(settings.maxBytes)} quota; trimming to ${formatBytes(targetBytes)}`,
    });
  }
  if (state.freeBytes < settings.minFreeBytes) {
    const deficit = settings.minFreeBytes - state.freeBytes;
    const targetBytes = Math.max(0, Math.floor(state.cacheBytes - deficit - (1 - settings.lowWater) * state.cacheBytes));
    targets.push({
      targetBytes,
      reason: `only ${formatBytes(state.freeBytes)} free on the cache disk, under cache.minFreeBytes (${formatBytes(settings.minFreeBytes)}); trimming to ${formatBytes(targetBytes)}`,
    });
  }
  if (targets.length === 0) return { needed: false };
  const lowest = targets.reduce((a, b) => (b.targetBytes < a.targetBytes ? b : a));
  return { needed: true, ...lowest };
}
