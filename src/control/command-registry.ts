import type { z } from 'zod';
import { SOCKET_COMMANDS, type CommandName, type CommandResult, type ParsedArgs } from './contract/commands.js';
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

/** A handler of a contract command: it gets the checked arguments and answers with the command's result. */
export type SocketHandler<Name extends CommandName> = (
  args: ParsedArgs<Name>,
  context: CommandContext,
) => CommandResult<Name> | Promise<CommandResult<Name>>;

/** A contract command (control/contract/) with its handler: the name, summary and argument schema come from the contract. */
export function socketCommand<Name extends CommandName>(name: Name, run: SocketHandler<Name>): CommandDefinition<ParsedArgs<Name>> {
  const { summary, args } = SOCKET_COMMANDS[name];
  return { name, summary, args, run };
}

/** The commands the socket answers. Handlers are thin: each calls a service. */
export class CommandRegistry {
  readonly #commands = new Map<string, CommandDefinition<unknown>>();

  add<Args>(definition: CommandDefinition<Args>): this {
    if (this.#commands.has(definition.name)) throw new Error(`command ${definition.name} is registered twice`);
    this.#commands.set(definition.name, definition);
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
  return error.issues.map((issue) => `${[prefix, ...issue.path.map(String)].join('.')}: ${issue.message}`).join('; ');
}
