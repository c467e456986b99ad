/**
 * Whether a model may be copied to the SSD at all, and whether it fits now.
 * Pure functions of the settings and the numbers the caller measured, shared
 * by the daemon and the simulator.
 */
import { formatBytes } from './byte-size.js';

/** The order of urgency: a queued prompt, then a saved workflow, then warm-ups from history. */
export const PRIORITIES = ['urgent', 'workflow', 'warm'] as const;
export type PrefetchPriority = (typeof PRIORITIES)[number];

/** Lower runs first. */
export function priorityRank(priority: PrefetchPriority): number {
  return PRIORITIES.indexOf(priority);
}

export interface AdmissionRules {
  readonly enabled: boolean;
  /** Empty: every category. */
  readonly categories: readonly string[];
  readonly minFileBytes: number;
  /** 0: no size quota. */
  readonly maxBytes: number;
}

export type SkipReason = 'disabled' | 'category' | 'too-small' | 'too-large';

export type Admission = { readonly ok: true } | { readonly ok: false; readonly reason: SkipReason; readonly message: string };

/** The settings' verdict on one model, before any space is looked at. */
export function admission(model: { readonly category: string; readonly bytes: number }, rules: AdmissionRules): Admission {
  if (!rules.enabled) return { ok: false, reason: 'disabled', message: 'cache.enable is off: Arena copies nothing' };
  if (rules.categories.length > 0 && !rules.categories.includes(model.category)) {
    return {
      ok: false,
      reason: 'category',
      message: `${model.category} is not a cached category (cache.categories: ${rules.categories.join(', ')})`,
    };
  }
  if (model.bytes < rules.minFileBytes) {
    return {
      ok: false,
      reason: 'too-small',
      message: `${formatBytes(model.bytes)} is under cache.minFileBytes (${formatBytes(rules.minFileBytes)}); it stays on the NAS`,
    };
  }
  if (rules.maxBytes > 0 && model.bytes > rules.maxBytes) {
    return {
      ok: false,
      reason: 'too-large',
      message: `${formatBytes(model.bytes)} is larger than the whole cache quota (cache.maxBytes ${formatBytes(rules.maxBytes)})`,
    };
  }
  return { ok: true };
}

export interface SpaceState {
  /** Bytes of complete cached files. */
  readonly cacheBytes: number;
  /** Full sizes of the copies running now: they count against the quota before they finish. */
  readonly reservedBytes: number;
  /** Bytes those copies have still to write: free space will shrink by this much. */
  readonly pendingWriteBytes: number;
  readonly freeBytes: number;
  readonly totalBytes: number;
  /** 0: no size quota. */
  readonly maxBytes: number;
  readonly minFreeBytes: number;
}

export type Room =
  | { readonly kind: 'fits' }
  /** Not now; maybe once something is trimmed or a copy ends. */
  | { readonly kind: 'wait'; readonly message: string }
  /** Not on this cache, whatever is removed. */
  | { readonly kind: 'never'; readonly message: string };

/**
 * Whether a copy of `bytes` may start now without taking the cache past
 * cache.maxBytes or the filesystem below cache.minFreeBytes free.
 */
export function roomFor(bytes: number, space: SpaceState): Room {
  if (space.maxBytes > 0 && bytes > space.maxBytes) {
    return { kind: 'never', message: `${formatBytes(bytes)} is larger than the cache quota (${formatBytes(space.maxBytes)})` };
  }
  const usable = space.totalBytes - space.minFreeBytes;
  if (bytes > usable) {
    return {
      kind: 'never',
      message: `${formatBytes(bytes)} cannot fit on the cache filesystem (${formatBytes(space.totalBytes)}, keeping ${formatBytes(space.minFreeBytes)} free)`,
    };
  }
  if (space.maxBytes > 0 && space.cacheBytes + space.reservedBytes + bytes > space.maxBytes) {
    return {
      kind: 'wait',
      message: `waiting for room: the cache holds ${formatBytes(space.cacheBytes + space.reservedBytes)} of its ${formatBytes(space.maxBytes)} quota`,
    };
  }
  if (space.freeBytes - space.pendingWriteBytes - bytes < space.minFreeBytes) {
    return {
      kind: 'wait',
      message: `waiting for room: ${formatBytes(Math.max(0, space.freeBytes - space.pendingWriteBytes))} free on the cache filesystem, and cache.minFreeBytes keeps ${formatBytes(space.minFreeBytes)} free`,
    };
  }
  return { kind: 'fits' };
}

/** cache.minFreeBytes as bytes: a size, or a share of the filesystem such as `5%`. */
export function minFreeBytesOf(setting: number | `${number}%`, totalBytes: number): number {
  return typeof setting === 'number' ? setting : Math.ceil((Number(setting.slice(0, -1)) / 100) * totalBytes);
}
