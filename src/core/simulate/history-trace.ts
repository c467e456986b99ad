/**
 * The daemon's usage history as a trace, so that a user can replay their own
 * weeks with `arenactl simulate`. Pure: the caller reads the history file.
 *
 * - `t` counts seconds from the first event.
 * - Each event's `workflow` is named as the daemon names it (`workflowOf`:
 *   the base models), from every model the workflow uses.
 * - The daemon records every model of a run's workflow, but ComfyUI keeps
 *   loaded models in memory, so a run reads from disk only what the previous
 *   run did not load. A run's models are therefore those the previous run
 *   (less than `sessionGapSeconds` before it) did not list; with a gap of 0,
 *   every run lists every model. This is a heuristic: ComfyUI may unload a
 *   model under memory pressure, or keep one for longer.
 * - A model whose size the history never recorded cannot be replayed and is
 *   left out, and counted.
 */
import { workflowOf } from '../policy/workflow-identity.js';
import type { TraceEvent, TraceModel } from './trace.js';

export interface HistoryEntry {
  /** ms since epoch */
  readonly t: number;
  readonly type: 'save' | 'run';
  readonly models: ReadonlyArray<{ readonly key: string; readonly bytes?: number | undefined }>;
}

export interface HistoryTraceOptions {
  /** A run within this many seconds of the one before finds that run's models still loaded. */
  readonly sessionGapSeconds: number;
}

export interface HistoryTrace {
  readonly events: TraceEvent[];
  /** Models left out because no size was ever recorded for them. */
  readonly unsized: string[];
  /** Model reads left out because the previous run had them loaded. */
  readonly keptLoaded: number;
}

/** One hour: a user who comes back after that has likely restarted ComfyUI or loaded other models. */
export const DEFAULT_SESSION_GAP_SECONDS = 3600;

export function historyToTrace(entries: readonly HistoryEntry[], options: HistoryTraceOptions): HistoryTrace {
  // The history is in the order lines were appended; a run is stamped with its start, which may come a little earlier.
  const ordered = entries.map((entry, index) => ({ entry, index })).sort((a, b) => a.entry.t - b.entry.t || a.index - b.index);
  const sizes = new Map<string, number>();
  for (const { entry } of ordered) for (const model of entry.models) if (model.bytes !== undefined) sizes.set(model.key, model.bytes);

  const origin = ordered[0]?.entry.t ?? 0;
  const events: TraceEvent[] = [];
  const unsized = new Set<string>();
  let keptLoaded = 0;
  let previousRun: { t: number; keys: ReadonlySet<string> } | undefined;
  for (const { entry } of ordered) {
    const models: TraceModel[] = [];
    const keys = new Set<string>();
    for (const model of entry.models) {
      if (keys.has(model.key)) continue;
      keys.add(model.key);
      const bytes = model.bytes ?? sizes.get(model.key);
      if (bytes === undefined) unsized.add(model.key);
      else models.push({ key: model.key, bytes });
    }
    // A run that resolved no model still ran; the trace format wants a name.
    const workflow = workflowOf([...keys]) || 'unknown';
    if (entry.type === 'save') {
      events.push({ t: (entry.t - origin) / 1000, type: 'save', workflow, models });
      continue;
    }
    const loaded = previousRun !== undefined && entry.t - previousRun.t < options.sessionGapSeconds * 1000 ? previousRun.keys : new Set<string>();
    const read = models.filter((model) => !loaded.has(model.key));
    keptLoaded += models.length - read.length;
    events.push({ t: (entry.t - origin) / 1000, type: 'run', workflow, models: read });
    previousRun = { t: entry.t, keys };
  }
  return { events, unsized: [...unsized].sort(), keptLoaded };
}
