import { formatBytes } from '../core/byte-size.js';
import type { PrefetchOutcome } from '../control/contract/cache.js';
import type { Finished } from './copy-follower.js';
import { counted, formatSpan } from './wording.js';

/** What `prefetch --wait` achieved, as `--json` reports it under `summary`. */
export interface PrefetchSummary {
  /** Models copied to the SSD while the command waited, and their bytes. */
  readonly copied: number;
  readonly bytes: number;
  /** From the request to the last copy's end. */
  readonly seconds: number;
  /** bytes / seconds; 0 when nothing was copied. */
  readonly bytesPerSecond: number;
  readonly alreadyCached: number;
  readonly failed: number;
  /** Models the daemon waited for and then gave up on (wanted.dropped). */
  readonly dropped: number;
  readonly skipped: number;
}

export function summarize(outcomes: readonly PrefetchOutcome[], results: readonly Finished[], seconds: number): PrefetchSummary {
  const done = results.filter((result) => result.status === 'done');
  const bytes = done.reduce((sum, result) => sum + (result.bytes ?? 0), 0);
  return {
    copied: done.length,
    bytes,
    seconds,
    bytesPerSecond: done.length > 0 && seconds > 0 ? Math.round(bytes / seconds) : 0,
    alreadyCached: outcomes.filter((outcome) => outcome.status === 'cached').length,
    failed: results.filter((result) => result.status === 'failed').length,
    dropped: results.filter((result) => result.status === 'dropped').length,
    skipped: outcomes.filter((outcome) => outcome.status === 'skipped').length,
  };
}

/** `cached 3 models, 12.4 GB in 41 s (302 MB/s); 1 already on the SSD`: the last line of `prefetch --wait`. */
export function summaryLine(summary: PrefetchSummary): string {
  const head =
    summary.copied === 0
      ? 'nothing copied'
      : `cached ${counted(summary.copied, 'model')}, ${formatBytes(summary.bytes)} in ${formatSpan(summary.seconds)} (${formatBytes(summary.bytesPerSecond)}/s)`;
  const rest = [
    summary.alreadyCached > 0 ? `${summary.alreadyCached} already on the SSD` : '',
    summary.skipped > 0 ? `${summary.skipped} skipped` : '',
    summary.failed > 0 ? `${summary.failed} failed` : '',
    summary.dropped > 0 ? `${summary.dropped} no longer wanted` : '',
  ].filter((part) => part !== '');
  return [head, ...rest].join('; ');
}
