/** The trace replay behind `arenactl simulate`, and the conversions in and out of traces. */
export { simulate, type SimulateOptions, type SimulationReport } from './simulate.js';
export {
  simulateArena,
  SIM_EPOCH_MS,
  DEFAULT_BANDWIDTH_BYTES_PER_SECOND,
  DEFAULT_CONCURRENCY,
  DEFAULT_LOW_WATER,
  type ArenaOptions,
  type CacheChange,
} from './arena-replay.js';
export { simulateLru } from './lru.js';
export { simulateBelady, nextUses } from './belady.js';
export { POLICIES, type PolicyName, type SimulationResult } from './sim-result.js';
export { parseTrace, formatTrace, type TraceEvent, type TraceEventType, type TraceModel } from './trace.js';
export { SimulateOptionsError, TraceError } from './errors.js';
export { historyToTrace, DEFAULT_SESSION_GAP_SECONDS, type HistoryEntry, type HistoryTrace, type HistoryTraceOptions } from './history-trace.js';
