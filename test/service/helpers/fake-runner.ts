import type { CommandResult, CommandRunner, RunOptions } from '../../../src/service/command-runner.js';

export interface FakeRunner extends CommandRunner {
  /** Every command run, as argv, in order. */
  readonly calls: string[][];
  /** The command lines run, joined with spaces. */
  lines(): string[];
}

/**
 * A command runner that runs nothing: each command line (program and
 * arguments joined by spaces) gets the answer of the first pattern it
 * matches, else exit 0 with no output.
 */
export function fakeRunner(answers: ReadonlyArray<readonly [RegExp, Partial<CommandResult>]> = []): FakeRunner {
  const calls: string[][] = [];
  return {
    calls,
    lines: () => calls.map((call) => call.join(' ')),
    run(file: string, args: readonly string[], options?: RunOptions): Promise<CommandResult> {
      calls.push([file, ...args]);
      const line = [file, ...args].join(' ');
      const answer = answers.find(([pattern]) => pattern.test(line))?.[1] ?? {};
      const result = { exitCode: 0, stdout: '', stderr: '', missing: false, ...answer };
      if (options?.onStdout && result.stdout) options.onStdout(result.stdout);
      if (options?.onStderr && result.stderr) options.onStderr(result.stderr);
      return Promise.resolve(result);
    },
  };
}
