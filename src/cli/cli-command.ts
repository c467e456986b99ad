import type { Command } from 'commander';
import type { CliIo } from './cli-io.js';
import type { Output } from './output.js';

/** Options every command takes. */
export interface CommonOptions {
  readonly json: boolean;
  readonly socket?: string;
}

export interface CommandRun<Options> {
  /** Positional arguments, as declared by `arguments`. */
  readonly args: readonly string[];
  readonly options: Options & CommonOptions;
  readonly io: CliIo;
  readonly output: Output;
  /** The socket to talk to: --socket, else ARENA_SOCKET, else the config's, else the default. */
  readonly socketPath: string;
}

/** One arenactl command (one file each under commands/). Returns the exit code. */
export interface CliCommand<Options extends object = object> {
  /** `['status']`, or `['config', 'show']` for a subcommand. */
  readonly path: readonly string[];
  readonly description: string;
  /** Commander argument syntax, e.g. `[file]` or `<workflow>`. */
  readonly arguments?: string;
  /** Extra options beyond --json, --socket and --help. */
  configure?(command: Command): void;
  run(run: CommandRun<Options>): Promise<number>;
}
