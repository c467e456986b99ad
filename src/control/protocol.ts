/**
 * The control socket's framing (docs/protocol.md): one JSON object per
 * `\n`-terminated UTF-8 line, at most 1 MiB. Requests carry an id that the
 * reply echoes; pushed events carry `event` instead of `id`, so a client can
 * tell them apart. What each command takes and answers is in `contract/`.
 */
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;
export const MAX_LINE_BYTES = 1024 * 1024;

const requestId = z.union([z.string().max(256), z.number().finite()]);

export type RequestId = z.infer<typeof requestId> | null;

export const requestEnvelope = z
  .object({
    id: requestId.optional(),
    cmd: z.string().min(1).max(128),
    args: z.record(z.unknown()).optional(),
  })
  .strict();

export type RequestEnvelope = z.infer<typeof requestEnvelope>;

/**
 * `{"code", "message"}` of a failed request. The code is one of
 * core/error-codes.ts, read here as any string: a daemon newer than its
 * client may send one the client does not know yet.
 */
const errorBody = z.object({ code: z.string(), message: z.string() });

export type ErrorBody = z.infer<typeof errorBody>;

/** A reply line, as the client reads it. */
export const replyEnvelope = z.discriminatedUnion('ok', [
  z.object({ id: requestId.nullable(), ok: z.literal(true), result: z.unknown() }),
  z.object({ id: requestId.nullable(), ok: z.literal(false), error: errorBody }),
]);

export type Reply = z.infer<typeof replyEnvelope>;

/** A pushed line on a `subscribe` stream; contract/events.ts says which events there are. */
export const eventEnvelope = z.object({ event: z.string() }).passthrough();

export type EventMessage = z.infer<typeof eventEnvelope>;

/** True when the subscription topics select the event: `prefetch` covers `prefetch.progress`; `*` covers all. */
export function topicMatches(topics: readonly string[], event: string): boolean {
  if (topics.length === 0) return true;
  return topics.some((topic) => topic === '*' || topic === event || event.startsWith(`${topic}.`));
}
