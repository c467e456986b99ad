/**
 * The daemon's own commands: the handshake, event streams, `status`, the
 * configuration it runs with, and where its usage history is.
 */
import { z } from 'zod';
import { cacheStatus, prefetchStatus, wantedModel } from './cache.js';
import { libraryStatus } from './library.js';
import { updatesStatusSection } from './update.js';
import type { CommandContract, WireOf } from './wire.js';

/** A subscription topic: an event name (`prefetch.progress`), its group (`prefetch`), or `*` for all. */
const topic = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\w.*-]+$/, 'a topic is a dotted name such as prefetch or prefetch.progress');

export const helloResult = z.object({
  protocol: z.number().int().positive(),
  version: z.string(),
  pid: z.number().int().positive(),
  /** Every command this daemon answers, sorted. */
  commands: z.array(z.string()),
});

export const statusResult = z.object({
  version: z.string(),
  pid: z.number().int().positive(),
  uptimeSeconds: z.number().nonnegative(),
  state: z.enum(['starting', 'ready', 'degraded']),
  /** Each thing to fix, once, as a sentence. */
  problems: z.array(z.string()),
  /** The one line that systemd shows as STATUS=. */
  summary: z.string(),
  /** The summary without its problems part: what the daemon is doing. */
  activity: z.string(),
  config: z.object({ file: z.string().nullable(), envFile: z.string().nullable() }),
  comfy: z.object({
    root: z.string().nullable(),
    url: z.string(),
    /** null until the queue has been polled once. */
    reachable: z.boolean().nullable(),
    /** "ComfyUI not reachable at ... (connection refused)" while it is not. */
    error: z.string().optional(),
    /** ms since epoch when `reachable` took its current value. */
    since: z.number().optional(),
  }),
  library: libraryStatus,
  /** Models asked for before their file was in the library (missing, or still being written), oldest first. */
  wanted: z.array(wantedModel),
  cache: cacheStatus,
  prefetch: prefetchStatus,
  updates: updatesStatusSection,
  /** Where the daemon's log goes, for `arenactl logs`; absent from daemons older than this field. */
  log: z.object({ journal: z.boolean(), file: z.string().nullable() }).optional(),
});

export const configReport = z.object({
  /** `daemon` when a running daemon answered; `local` when arenactl computed it itself. */
  origin: z.enum(['daemon', 'local']),
  configFile: z.string().nullable(),
  envFile: z.string().nullable(),
  /** The effective values, nested as in the config file: `{"cache": {"maxBytes": ...}}` (docs/configuration.md). */
  config: z.record(z.record(z.unknown())),
  /** For each dotted key, where its value came from ("default", "/etc/arena/config.yaml:4", ...). */
  sources: z.record(z.string()),
  warnings: z.array(z.string()),
  /**
   * The rest of what the configuration was read from, so that doctor can
   * check the very sources a running daemon loaded: its `ARENA_*` variables
   * that set or steered a value, its flags, and its working folder. Absent
   * from a daemon older than these fields.
   */
  environment: z.record(z.string()).optional(),
  flags: z.array(z.object({ key: z.string(), value: z.string() })).optional(),
  cwd: z.string().optional(),
});

export const DAEMON_COMMANDS = {
  hello: {
    summary: 'Handshake: the daemon version, the protocol and the commands it knows.',
    args: z.object({ protocol: z.number().int().positive().optional() }).strict(),
    result: helloResult,
  },
  subscribe: {
    summary: 'Stream events ({"event": ...} lines) for the given topics until the connection closes.',
    args: z.object({ topics: z.array(topic).max(64).default([]) }).strict(),
    /** The topics now streamed; `["*"]` for all. */
    result: z.object({ subscribed: z.array(z.string()) }),
  },
  status: {
    summary: 'The daemon state, its problems, and the state of the library, cache, prefetch and updates.',
    args: z.object({}).strict(),
    result: statusResult,
  },
  'config.show': {
    summary: 'The effective configuration and where each value came from.',
    args: z.object({}).strict(),
    result: configReport,
  },
  'history.file': {
    // arenactl reads the file itself: a month of history would not fit in one reply line.
    summary: 'The usage history file (runs and saved workflows), flushed, for arenactl history export.',
    args: z.object({}).strict(),
    result: z.object({ file: z.string() }),
  },
} satisfies Record<string, CommandContract<z.ZodTypeAny, z.ZodTypeAny>>;

export type HelloResult = WireOf<typeof helloResult>;
export type StatusResult = WireOf<typeof statusResult>;
export type DaemonState = StatusResult['state'];
export type ConfigReport = WireOf<typeof configReport>;
