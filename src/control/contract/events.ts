/**
 * The events a `subscribe` stream pushes, one `{"event": NAME, ...}` line
 * each (docs/protocol.md, "Events"). The services announce them with these
 * types; arenactl's followers read them through `readEvent`, so a field is a
 * number because the schema says so, not because a reader guessed.
 */
import { z } from 'zod';
import { PRIORITIES } from '../../core/admission.js';
import type { WireOf } from './wire.js';

/** Why a copy left the SSD; metrics count by it, `reason` is the sentence for people. */
export const EVICTION_CAUSES = ['trim', 'room', 'source_changed', 'source_removed', 'manual', 'update', 'deleted_outside'] as const;

/** Why a model waits for its library file: not there yet, or still being written. */
export const WANTED_REASONS = ['missing', 'settling'] as const;

const count = z.number().nonnegative();

export const prefetchQueued = z.object({
  event: z.literal('prefetch.queued'),
  key: z.string(),
  bytes: count,
  priority: z.enum(PRIORITIES),
  origin: z.string(),
});

export const prefetchStarted = z.object({
  event: z.literal('prefetch.started'),
  key: z.string(),
  bytes: count,
  /** The library file being read. */
  source: z.string(),
});

export const prefetchProgress = z.object({
  event: z.literal('prefetch.progress'),
  key: z.string(),
  bytesCopied: count,
  bytes: count,
  percent: count,
  bytesPerSecond: count,
  /** null until the speed is known. */
  etaSeconds: count.nullable(),
});

export const prefetchDone = z.object({
  event: z.literal('prefetch.done'),
  key: z.string(),
  bytes: count,
  durationMs: count,
  bytesPerSecond: count,
  sha256: z.string().optional(),
});

export const prefetchFailed = z.object({
  event: z.literal('prefetch.failed'),
  key: z.string(),
  code: z.string(),
  message: z.string(),
  /** True when the job stays queued and will be tried again. */
  retry: z.boolean(),
});

export const cacheEvicted = z.object({
  event: z.literal('cache.evicted'),
  key: z.string(),
  bytes: count,
  reason: z.string(),
  cause: z.enum(EVICTION_CAUSES),
});

/** A generation ran: the keys of its models that were on the SSD before it started (hits), and the others. */
export const cacheRun = z.object({
  event: z.literal('cache.run'),
  origin: z.string(),
  hits: z.array(z.string()),
  misses: z.array(z.string()),
});

export const wantedAdded = z.object({ event: z.literal('wanted.added'), key: z.string(), origin: z.string(), reason: z.enum(WANTED_REASONS) });

/** Its file landed and settled: it was handed to the cache. */
export const wantedReleased = z.object({ event: z.literal('wanted.released'), key: z.string(), origin: z.string() });

export const wantedDropped = z.object({
  event: z.literal('wanted.dropped'),
  key: z.string(),
  origin: z.string(),
  reason: z.enum(['expired', 'replaced', 'overflow']),
});

export const updateWindow = z.object({
  event: z.literal('update.window'),
  state: z.enum(['open', 'closed']),
  opensAt: z.string(),
  closesAt: z.string(),
});

/** One entry compared with its hub, by `check` or before a `run` installs: `ok` whether or not a newer version is out. */
export const updateChecked = z.object({ event: z.literal('update.checked'), target: z.string(), result: z.enum(['ok', 'error']) });

export const updateAvailable = z.object({ event: z.literal('update.available'), target: z.string(), bytes: count, version: z.string() });

export const updateStarted = z.object({
  event: z.literal('update.started'),
  target: z.string(),
  bytes: count,
  /** Bytes a resumed download already has. */
  resumeFrom: count,
  version: z.string(),
});

export const updateProgress = z.object({
  event: z.literal('update.progress'),
  target: z.string(),
  bytesDone: count,
  bytes: count,
  percent: count,
  bytesPerSecond: count,
});

export const updatePaused = z.object({ event: z.literal('update.paused'), target: z.string(), bytesDone: count, bytes: count });

export const updateInstalled = z.object({
  event: z.literal('update.installed'),
  target: z.string(),
  /** sha256 of the file it replaced; null when the library had none. */
  from: z.string().nullable(),
  to: z.string(),
  version: z.string(),
});

export const updateFailed = z.object({ event: z.literal('update.failed'), target: z.string(), code: z.string(), message: z.string() });

export const updateRolledBack = z.object({ event: z.literal('update.rolledback'), target: z.string(), from: z.string().nullable(), to: z.string() });

/** The last line a subscriber gets: the daemon is stopping and closes the stream. */
export const daemonStopping = z.object({ event: z.literal('daemon.stopping') });

export const cacheEvent = z.discriminatedUnion('event', [
  prefetchQueued,
  prefetchStarted,
  prefetchProgress,
  prefetchDone,
  prefetchFailed,
  cacheEvicted,
]);
export const wantedEvent = z.discriminatedUnion('event', [wantedAdded, wantedReleased, wantedDropped]);
export const updateEvent = z.discriminatedUnion('event', [
  updateWindow,
  updateChecked,
  updateAvailable,
  updateStarted,
  updateProgress,
  updatePaused,
  updateInstalled,
  updateFailed,
  updateRolledBack,
]);

/** Every event a subscriber can get. */
export const arenaEvent = z.discriminatedUnion('event', [
  ...cacheEvent.options,
  cacheRun,
  ...wantedEvent.options,
  ...updateEvent.options,
  daemonStopping,
]);

export type CacheEvent = WireOf<typeof cacheEvent>;
export type WantedEvent = WireOf<typeof wantedEvent>;
export type UpdateEvent = WireOf<typeof updateEvent>;
export type ArenaEvent = WireOf<typeof arenaEvent>;
export type EventName = ArenaEvent['event'];
export type EvictionCause = (typeof EVICTION_CAUSES)[number];
export type WantedReason = (typeof WANTED_REASONS)[number];

/** Every event name, for docs/protocol.md's test and for topics. */
export const EVENT_NAMES: readonly EventName[] = arenaEvent.options.map((option) => option.shape.event.value);

/**
 * A pushed line as one of the events above, or undefined when it is not
 * one this version knows (a newer daemon's event, or a malformed line):
 * followers skip what they cannot read instead of guessing at its fields.
 */
export function readEvent(message: unknown): ArenaEvent | undefined {
  const parsed = arenaEvent.safeParse(message);
  return parsed.success ? parsed.data : undefined;
}
