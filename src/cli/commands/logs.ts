import type { Command } from 'commander';
import { ConfigError } from '../../config/config-error.js';
import { loadConfig } from '../../config/load-config.js';
import type { CommandRunner } from '../../service/command-runner.js';
import { ServiceCommandError } from '../../service/errors/service-command-error.js';
import { defaultServiceContext } from '../../service/service-context.js';
import { launchdLogFile, UNIT_NAME } from '../../service/service-layout.js';
import { chooseMode } from '../../service/service-mode.js';
import type { CliCommand } from '../cli-command.js';
import { EXIT, UsageError } from '../cli-errors.js';
import type { CliIo } from '../cli-io.js';
import type { ServiceContextFactory } from './service.js';

interface LogsOptions {
  readonly follow?: boolean;
  readonly lines?: string;
  readonly since?: string;
  readonly user?: boolean;
  readonly system?: boolean;
}

export const DEFAULT_LOG_LINES = 50;

/** One journal entry as `--json` prints it. */
export interface LogEntry {
  readonly time: string | null;
  /** syslog priority: 3 error, 4 warning, 6 info, 7 debug. */
  readonly priority: number | null;
  readonly message: string;
  readonly pid: number | null;
}

function lineCount(text: string | undefined): number {
  if (text === undefined) return DEFAULT_LOG_LINES;
  const count = Number(text);
  if (!Number.isInteger(count) || count < 0) throw new UsageError(`-n takes a number of lines, such as -n 100; got "${text}"`);
  return count;
}

/** The journalctl arguments for the unit: `-u` for the system service, `--user-unit` for the user's. */
export function journalctlArgs(scope: 'system' | 'user', options: { lines: number; follow: boolean; since?: string; json: boolean }): string[] {
  return [
    scope === 'system' ? '--unit' : '--user-unit',
    UNIT_NAME,
    '--no-pager',
    '--lines',
    String(options.lines),
    ...(options.since === undefined ? [] : ['--since', options.since]),
    ...(options.follow ? ['--follow'] : []),
    '--output',
    options.json ? 'json' : 'short-iso',
  ];
}

function field(entry: Record<string, unknown>, name: string): string | undefined {
  const value = entry[name];
  return typeof value === 'string' ? value : undefined;
}

/** journalctl's `-o json` lines as entries. */
export function parseJournalJson(text: string): LogEntry[] {
  const entries: LogEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const entry = JSON.parse(line) as Record<string, unknown>;
    const micros = Number(field(entry, '__REALTIME_TIMESTAMP'));
    const priority = Number(field(entry, 'PRIORITY'));
    const pid = Number(field(entry, '_PID'));
    entries.push({
      time: Number.isFinite(micros) ? new Date(micros / 1000).toISOString() : null,
      priority: Number.isInteger(priority) ? priority : null,
      // journald stores a message with invalid UTF-8 as an array of bytes.
      message: field(entry, 'MESSAGE') ?? (Array.isArray(entry.MESSAGE) ? Buffer.from(entry.MESSAGE as number[]).toString('utf8') : ''),
      pid: Number.isInteger(pid) ? pid : null,
    });
  }
  return entries;
}

/** On macOS the log is a file: log.file when the config sets one, else where the LaunchAgent sends its output. */
function macLogFile(io: CliIo): string {
  try {
    const { config } = loadConfig({ platform: io.platform });
    if (config.log.file) return config.log.file;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
  }
  return launchdLogFile(io.platform);
}

async function passThrough(runner: CommandRunner, file: string, args: string[], io: CliIo): Promise<number> {
  const result = await runner.run(file, args, {
    onStdout: (text) => io.stdout.write(text),
    onStderr: (text) => io.stderr.write(text),
  });
  if (result.missing) {
    io.stderr.write(`arenactl: ${file} is not available here\n`);
    return EXIT.failure;
  }
  return result.exitCode === 0 ? EXIT.ok : EXIT.failure;
}

export function logsCommand(makeContext: ServiceContextFactory = (io) => defaultServiceContext(io.platform)): CliCommand<LogsOptions> {
  return {
    path: ['logs'],
    description: "Show the daemon's log: the journal of the arenad unit, or the log file on macOS.",
    configure(command: Command) {
      command.option('-f, --follow', 'keep printing new lines as they come');
      command.option('-n, --lines <n>', `how many of the last lines to show (default ${DEFAULT_LOG_LINES})`);
      command.option('--since <time>', 'only lines since then, such as "1 hour ago" or "2025-01-31 08:00" (journal only)');
      command.option('--user', "the per-user service's journal");
      command.option('--system', "the system service's journal");
    },
    async run({ options, io, output }) {
      if (options.user && options.system) throw new UsageError('--user and --system exclude each other; give one');
      const lines = lineCount(options.lines);
      const follow = options.follow === true;
      if (follow && output.json) throw new UsageError('--json prints one document, so it cannot follow; leave out -f');
      const context = makeContext(io);
      const mode = chooseMode(options, context, 'existing');

      if (mode === 'launchd') {
        if (options.since !== undefined) throw new UsageError('--since needs the journal; on macOS the log is a plain file, so use -n');
        const file = macLogFile(io);
        if (!output.json) return passThrough(context.runner, 'tail', ['-n', String(lines), ...(follow ? ['-F'] : []), file], io);
        const result = await context.runner.run('tail', ['-n', String(lines), file]);
        if (result.exitCode !== 0) throw new ServiceCommandError(['tail', '-n', String(lines), file], result.exitCode, result.stderr);
        output.document({ file, lines: result.stdout.split('\n').filter((line) => line !== '') });
        return EXIT.ok;
      }

      const args = journalctlArgs(mode, { lines, follow, json: output.json, ...(options.since === undefined ? {} : { since: options.since }) });
      if (!output.json) return passThrough(context.runner, 'journalctl', args, io);
      const result = await context.runner.run('journalctl', args, { timeoutMs: 60_000 });
      if (result.exitCode !== 0) throw new ServiceCommandError(['journalctl', ...args], result.exitCode, `${result.stderr}\n${result.stdout}`);
      output.document({ unit: UNIT_NAME, scope: mode, entries: parseJournalJson(result.stdout) });
      return EXIT.ok;
    },
  };
}
