import type { CatalogEntry, CatalogView } from '../core/catalog-view.js';
import type { VerifyMode } from './copier.js';

export interface CacheSettings {
  readonly enabled: boolean;
  readonly root: string;
  readonly maxBytes: number;
  readonly minFreeBytes: number | `${number}%`;
  readonly minFileBytes: number;
  readonly categories: readonly string[];
  readonly concurrency: number;
  readonly verify: VerifyMode;
  /** A trim brings the cache down to this share of maxBytes. */
  readonly lowWater: number;
  /** Cron expression of the scheduled trim. */
  readonly trimSchedule: string;
}

/** The catalog and its change events: the Library provides both. */
export interface CatalogFeed {
  readonly catalog: CatalogView;
  on(event: 'added' | 'removed', listener: (entry: CatalogEntry) => void): unknown;
  on(event: 'changed', listener: (entry: CatalogEntry, previous: CatalogEntry) => void): unknown;
  on(event: 'available', listener: (...args: unknown[]) => void): unknown;
}
