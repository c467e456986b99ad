/**
 * The control socket's wire protocol (CONTRACT "Socket protocol"): one JSON
 * object per `\n`-terminated UTF-8 line, at most 1 MiB. Requests carry an id
 * that the reply echoes; pushed events carry `event` instead of `id`, so a
 * client can tell them apart.
 */
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;
export const MAX_LINE_BYTES = 1024 * 1024;

export const ERROR_CODES = {
  /** The line is not JSON. */
  parse: 'E_PARSE',
  /** The line is longer than MAX_LINE_BYTES. */
  tooLarge: 'E_TOO_LARGE',
  /** JSON, but not a request object. */
  request: 'E_REQUEST',
  unknownCommand: 'E_UNKNOWN_COMMAND',
  /** The command's arguments do not fit its schema. */
  args: 'E_ARGS',
  /** `hello` asked for a protocol version this daemon does not speak. */
  protocol: 'E_PROTOCOL',
  /** A path or model name outside the library and cache roots. */
  path: 'E_PATH',
  notFound: 'E_NOT_FOUND',
  /** The daemon is at its connection limit and none of them is idle. */
  busy: 'E_BUSY',
  shuttingDown: 'E_SHUTTING_DOWN',
  internal: 'E_INTERNAL',
} as const;

export type RequestId = string | number | null;

export const requestEnvelope = z
  .object({
    id: z.union([z.string().max(256), z.number().finite()]).optional(),
    cmd: z.string().min(1).max(128),
    args: z.record(z.unknown()).optional(),
  })
  .strict();

export type RequestEnvelope = z.infer<typeof requestEnvelope>;

export interface ErrorBody {
  readonly code: string;
  readonly message: string;
}

export type Reply =
  | { readonly id: RequestId; readonly ok: true; readonly result: unknown }
  | { readonly id: RequestId; readonly ok: false; readonly error: ErrorBody };

/** A pushed line on a `subscribe` stream. */
export interface EventMessage {
  readonly event: string;
  readonly [field: string]: unknown;
}

export interface HelloResult {
  readonly protocol: number;
  readonly version: string;
  readonly pid: number;
  readonly commands: readonly string[];
}

/** True when the subscription topics select the event: `prefetch` covers `prefetch.progress`; `*` covers all. */
export function topicMatches(topics: readonly string[], event: string): boolean {
  if (topics.length === 0) return true;
  return topics.some((topic) => topic === '*' || topic === event || event.startsWith(`${topic}.`));
}
