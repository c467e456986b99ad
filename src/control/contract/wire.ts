import type { z } from 'zod';

/**
 * A value as it crosses the socket: whoever receives it only reads it, so
 * every array and field is read-only, and a producer may hand over its own
 * read-only data without a copy.
 */
export type DeepReadonly<T> = T extends readonly (infer Item)[]
  ? ReadonlyArray<DeepReadonly<Item>>
  : T extends object
    ? { readonly [Key in keyof T]: DeepReadonly<T[Key]> }
    : T;

/** The type a wire schema describes. */
export type WireOf<Schema extends z.ZodTypeAny> = DeepReadonly<z.output<Schema>>;

/**
 * One socket command: what it is for (hello lists the names, docs/protocol.md
 * the summaries), the arguments it takes and the result it answers with.
 * Argument schemas are strict: an unknown argument is a mistake, refused with
 * E_ARGS. Result schemas are not, so that an arenactl older than its daemon
 * reads the fields it knows and ignores the ones added since.
 */
export interface CommandContract<Args extends z.ZodTypeAny, Result extends z.ZodTypeAny> {
  readonly summary: string;
  readonly args: Args;
  readonly result: Result;
}
