/**
 * The trace format of `arenactl simulate` (docs/protocol.md, "The simulate trace"): NDJSON,
 * one event a line, in time order,
 * `{"t": 12.5, "type": "save"|"run", "workflow": "w1", "models": [{"key": "checkpoints/a.safetensors", "bytes": 6938040320}]}`,
 * `t` in seconds. A `save` is a workflow saved (the daemon predicts from
 * it); a `run` lists the models a generation read from disk, each one
 * request. Parsed strictly, with every mistake reported by line.
 */
import { z } from 'zod';
import { modelKey, parseModelKey } from '../categories.js';
import { TraceError } from './errors.js';

export interface TraceModel {
  /** `category/name`, normalised as the daemon's keys are. */
  readonly key: string;
  readonly bytes: number;
}

export type TraceEventType = 'save' | 'run';

export interface TraceEvent {
  /** Seconds since the trace began (0 or more); never decreasing along the trace. */
  readonly t: number;
  readonly type: TraceEventType;
  readonly workflow: string;
  /** Each key once. */
  readonly models: readonly TraceModel[];
}

const eventSchema = z.object({
  t: z.number().finite().nonnegative(),
  type: z.enum(['save', 'run']),
  workflow: z.string().min(1),
  models: z.array(z.object({ key: z.string().min(1), bytes: z.number().int().nonnegative().finite() })),
});

/** Reads a trace; throws TraceError naming the first bad line. `source` names the file in messages. */
export function parseTrace(text: string, source = 'the trace'): TraceEvent[] {
  const events: TraceEvent[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index]!.trim();
    if (line === '') continue;
    const number = index + 1;
    const where = `${source} line ${number}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new TraceError(
        `${where} is not JSON: ${(error as Error).message}; each line must be one event such as {"t": 0, "type": "run", "workflow": "w1", "models": []}`,
        {
          line: number,
          cause: error,
        },
      );
    }
    const parsed = eventSchema.safeParse(value);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'the event'}: ${issue.message}`);
      throw new TraceError(`${where}: ${problems.join('; ')}`, { line: number });
    }
    const event = parsed.data;
    const previous = events.at(-1);
    if (previous !== undefined && event.t < previous.t) {
      throw new TraceError(`${where}: t ${event.t} comes before the previous event's ${previous.t}; a trace must be in time order`, { line: number });
    }
    const seen = new Set<string>();
    const models: TraceModel[] = [];
    for (const model of event.models) {
      const parts = parseModelKey(model.key);
      const key = parts === undefined ? undefined : modelKey(parts.category, parts.name);
      if (key === undefined) {
        throw new TraceError(`${where}: "${model.key}" is not a model key; expected category/name such as checkpoints/sdxl.safetensors`, {
          line: number,
        });
      }
      if (seen.has(key)) continue;
      seen.add(key);
      models.push({ key, bytes: model.bytes });
    }
    events.push({ t: event.t, type: event.type, workflow: event.workflow, models });
  }
  return events;
}

/** NDJSON text of a trace, one event a line, as `parseTrace` reads it. */
export function formatTrace(events: readonly TraceEvent[]): string {
  return events
    .map(
      (event) =>
        `${JSON.stringify({ t: event.t, type: event.type, workflow: event.workflow, models: event.models.map(({ key, bytes }) => ({ key, bytes })) })}\n`,
    )
    .join('');
}
