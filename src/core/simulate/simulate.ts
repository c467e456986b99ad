/** `arenactl simulate`: one trace, one policy, one capacity. */
import { simulateArena, DEFAULT_BANDWIDTH_BYTES_PER_SECOND, DEFAULT_CONCURRENCY } from './arena-replay.js';
import { simulateBelady } from './belady.js';
import { simulateLru } from './lru.js';
import type { PolicyName, SimulationResult } from './sim-result.js';
import type { TraceEvent } from './trace.js';
import { SimulateOptionsError } from './errors.js';

export interface SimulateOptions {
  readonly policy: PolicyName;
  readonly capacityBytes: number;
  /** arena only: the NAS's bandwidth, shared by the running copies (500 MB/s by default). */
  readonly bandwidthBytesPerSecond?: number;
  /** arena only: copies at once (2, the daemon's default). */
  readonly concurrency?: number;
  /** arena only: keys pinned once the trace first names them. */
  readonly pinned?: readonly string[];
}

export interface SimulationReport extends SimulationResult {
  /** arena only: what the copier was given. */
  readonly bandwidthBytesPerSecond?: number;
  readonly concurrency?: number;
}

export function simulate(trace: readonly TraceEvent[], options: SimulateOptions): SimulationReport {
  if (!(options.capacityBytes > 0)) throw new SimulateOptionsError(`the capacity must be more than 0 bytes, not ${options.capacityBytes}`);
  switch (options.policy) {
    case 'lru':
      return simulateLru(trace, options.capacityBytes);
    case 'belady':
      return simulateBelady(trace, options.capacityBytes);
    case 'arena': {
      const bandwidthBytesPerSecond = options.bandwidthBytesPerSecond ?? DEFAULT_BANDWIDTH_BYTES_PER_SECOND;
      const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
      if (!(bandwidthBytesPerSecond > 0))
        throw new SimulateOptionsError(`the bandwidth must be more than 0 bytes per second, not ${bandwidthBytesPerSecond}`);
      if (!Number.isInteger(concurrency) || concurrency < 1)
        throw new SimulateOptionsError(`the concurrency must be a whole number of copies, 1 or more, not ${concurrency}`);
      const result = simulateArena(trace, {
        capacityBytes: options.capacityBytes,
        bandwidthBytesPerSecond,
        concurrency,
        ...(options.pinned ? { pinned: options.pinned } : {}),
      });
      return { ...result, bandwidthBytesPerSecond, concurrency };
    }
  }
}
