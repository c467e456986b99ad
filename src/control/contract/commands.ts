/**
 * Every socket command, once: its arguments and its result as schemas, and
 * the types derived from them. The daemon's handlers are typed by this table
 * (control/command-registry.ts `socketCommand`), and so are the client's
 * requests (control-client.ts `request`), so the two cannot disagree without
 * the compiler saying so; docs/protocol.md describes the same table, and a
 * test holds the three together.
 */
import type { z } from 'zod';
import { CACHE_COMMANDS } from './cache.js';
import { DAEMON_COMMANDS } from './daemon.js';
import { LIBRARY_COMMANDS } from './library.js';
import { UPDATE_COMMANDS } from './update.js';
import type { DeepReadonly } from './wire.js';

export const SOCKET_COMMANDS = { ...DAEMON_COMMANDS, ...LIBRARY_COMMANDS, ...CACHE_COMMANDS, ...UPDATE_COMMANDS };

type Commands = typeof SOCKET_COMMANDS;

export type CommandName = keyof Commands;

type Input<Name extends CommandName> = z.input<Commands[Name]['args']>;

/** What a client sends: arguments with a default may be left out; a command without arguments takes none. */
export type CommandArgs<Name extends CommandName> = keyof Input<Name> extends never ? Record<string, never> : DeepReadonly<Input<Name>>;

/** The arguments of a request as a parameter list: they may be left out when the command needs none. */
export type RequestArgs<Name extends CommandName> =
  Record<never, never> extends CommandArgs<Name> ? [args?: CommandArgs<Name>] : [args: CommandArgs<Name>];

/** What a handler gets: the arguments checked, defaults filled in. */
export type ParsedArgs<Name extends CommandName> = z.output<Commands[Name]['args']>;

export type CommandResult<Name extends CommandName> = DeepReadonly<z.output<Commands[Name]['result']>>;

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(SOCKET_COMMANDS, name);
}

/** Every command name, in the order of the table. */
export const COMMAND_NAMES: readonly CommandName[] = Object.keys(SOCKET_COMMANDS).filter(isCommandName);
