import type { z } from 'zod';
import type { EventMessage } from './protocol.js';

/** What a handler may do with the connection that called it. */
export interface CommandContext {
  /** Pushes an event line to this client; false once the client is gone or too slow. */
  push(event: EventMessage): boolean;
  /** Aborted when the client disconnects or the daemon stops. */
  readonly signal: AbortSignal;
  /** Keeps the connection open after the reply (subscribe streams). */
  keepOpen(): void;
}

export interface CommandDefinition<Args> {
  readonly name: string;
  readonly summary: string;
  readonly args: z.ZodType<Args, z.ZodTypeDef, unknown>;
  run(args: Args, context: CommandContext): unknown;
}

/** The commands the socket answers. Handlers are thin: each calls a service. */
export class CommandRegistry {
  readonly #commands = new Map<string, CommandDefinition<unknown>>();

  add<Args>(definition: CommandDefinition<Args>): this {
    if (this.#commands.has(definition.name)) throw new Error(`command ${definition.name} is registered twice`);
    this.#commands.set(definition.name, definition as CommandDefinition<unknown>);
    return this;
  }

  get(name: string): CommandDefinition<unknown> | undefined {
    return this.#commands.get(name);
  }

  names(): string[] {
    return [...this.#commands.keys()].sort();
  }
}

/** `args.topics: Expected array, received string`: one clause per zod issue. */
export function describeZodError(error: z.ZodError, prefix: string): string {
  return error.issues
    .map((issue) => `${[prefix, ...issue.path.map(String)].join('.')}: ${issue.message}`)
    .join('; ');
}
