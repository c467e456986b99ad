import type { CliCommand } from '../../../src/cli/cli-command.js';
import type { CliIo } from '../../../src/cli/cli-io.js';
import { runCli } from '../../../src/cli/run-cli.js';
import type { Platform } from '../../../src/config/schema.js';

export interface CommandOutcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  json<T = Record<string, unknown>>(): T;
}

/** Runs arenactl in-process with only the given commands, on the given platform, capturing the output. */
export async function runCommands(argv: readonly string[], commands: readonly CliCommand[], platform: Platform): Promise<CommandOutcome> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    platform,
  };
  const code = await runCli(argv, io, commands);
  return { code, stdout, stderr, json: <T>() => JSON.parse(stdout) as T };
}
