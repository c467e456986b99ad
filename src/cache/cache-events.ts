import type { PrefetchPriority } from '../core/admission.js';

/** What the cache service announces; the daemon streams these to `subscribe` clients. */
export type CacheEvent =
  | {
      readonly event: 'prefetch.queued';
      readonly key: string;
      readonly bytes: number;
      readonly priority: PrefetchPriority;
      readonly origin: string;
    }
  | { readonly event: 'prefetch.started'; readonly key: string; readonly bytes: number; readonly source: string }
  | {
      readonly event: 'prefetch.progress';
      readonly key: string;
      readonly bytesCopied: number;
      readonly bytes: number;
      readonly percent: number;
      readonly bytesPerSecond: number;
      /** null until the speed is known. */
      readonly etaSeconds: number | null;
    }
  | {
      readonly event: 'prefetch.done';
      readonly key: string;
      readonly bytes: number;
      readonly durationMs: number;
      readonly bytesPerSecond: number;
      readonly sha256?: string;
    }
  | {
      readonly event: 'prefetch.failed';
      readonly key: string;
      readonly code: string;
      readonly message: string;
      /** True when the job stays queued and will be tried again. */
      readonly retry: boolean;
    }
  | { readonly event: 'cache.evicted'; readonly key: string; readonly bytes: number; readonly reason: string; readonly cause: EvictionCause };

/** A generation ran: the keys of its models that were on the SSD before it started (hits), and the others. */
export interface RunCounted {
  readonly origin: string;
  readonly hits: readonly string[];
  readonly misses: readonly string[];
}

/**
 * Why a copy left the SSD, as a fixed set (metrics count by it; `reason`
 * is the sentence for people): a trim, room made for another copy, the
 * library file changed or removed, arenactl evict, an update replacing the
 * file, or the cached file deleted or changed outside the daemon.
 */
export type EvictionCause = 'trim' | 'room' | 'source_changed' | 'source_removed' | 'manual' | 'update' | 'deleted_outside';

/** Why a requested model is not (or not yet) copied. */
export type SkipReason = 'disabled' | 'category' | 'too-small' | 'too-large' | 'not-found' | 'invalid-name';

/** Why a requested model waits for its library file: not there yet, or still being written. */
export type WantedReason = 'missing' | 'settling';

/** The answer to one model of a prefetch request. */
export interface PrefetchOutcome {
  readonly category: string;
  readonly name: string;
  readonly key?: string;
  /** `wanted`: not in the library yet; it is requested once its file lands and settles. */
  readonly status: 'queued' | 'copying' | 'cached' | 'skipped' | 'wanted';
  readonly bytes?: number;
  readonly reason?: SkipReason | WantedReason;
  readonly message?: string;
}
