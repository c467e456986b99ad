import { Command, CommanderError } from 'commander';
import { VERSION } from '../package-info.js';
import { EXIT } from './cli-errors.js';
import type { CliCommand, CommonOptions } from './cli-command.js';
import type { CliIo } from './cli-io.js';
import { Output } from './output.js';
import { resolveSocketPath } from './socket-path.js';
import { COMMAND_GROUPS } from './commands/groups.js';
import { COMMANDS } from './commands/index.js';

const EXIT_STATUS_HELP = `
Every command takes --json and --socket PATH. Exit status: 0 on success, 1 on
an operational error (its message on stderr), 2 on a usage error, 3 when the
daemon is not running; predict exits 4 when a workflow needs a model that is
not in the library.`;

/** Commander's own outcomes that are not failures. */
const CLEAN_EXITS = new Set(['commander.helpDisplayed', 'commander.version']);

function parentFor(program: Command, path: readonly string[]): Command {
  let parent = program;
  for (const name of path) {
    const existing = parent.commands.find((command) => command.name() === name);
    if (existing) {
      parent = existing;
      continue;
    }
    const description = COMMAND_GROUPS[name];
    if (description === undefined) throw new Error(`the command group "${name}" has no description in commands/groups.ts`);
    parent = parent.command(name).description(description);
  }
  return parent;
}

/**
 * Runs one arenactl invocation and resolves with its exit code. Nothing here
 * exits the process or writes to it directly, so tests drive it in-process.
 */
export async function runCli(argv: readonly string[], io: CliIo, commands: readonly CliCommand[] = COMMANDS): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command('arenactl')
    .description('Control ComfyUI Arena, the daemon that keeps the models your next generation needs on the SSD.')
    .version(VERSION, '-V, --version', 'print the arenactl version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`arenactl: ${text.replace(/^error: /, '')}`),
    })
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', EXIT_STATUS_HELP);

  for (const definition of commands) {
    const parent = parentFor(program, definition.path.slice(0, -1));
    const command = parent
      .command(definition.path.at(-1)!)
      .description(definition.description)
      .option('--json', 'print one JSON document on stdout and nothing else')
      .option('--socket <path>', 'the daemon socket (default: ARENA_SOCKET, the config, or the standard path)');
    if (definition.arguments) command.arguments(definition.arguments);
    definition.configure?.(command);
    command.action(async () => {
      const options = command.opts<CommonOptions & Record<string, unknown>>();
      const output = new Output(io.stdout, io.stderr, options.json === true);
      try {
        exitCode = await definition.run({
          args: command.args,
          options: { ...options, json: options.json === true },
          io,
          output,
          socketPath: resolveSocketPath(options.socket, io),
        });
      } catch (error) {
        exitCode = output.fail(error);
      }
    });
  }

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    return CLEAN_EXITS.has(error.code) ? EXIT.ok : EXIT.usage;
  }
  return exitCode;
}
