import fs from 'node:fs';
import type { Command } from 'commander';
import type { LogDestination } from '../../log/log-destination.js';
import type { CommandRunner } from '../../service/command-runner.js';
import { LogUnavailableError, ServiceCommandError } from '../../service/errors.js';
import { locateLog } from '../../service/log-source.js';
import { defaultServiceContext, type ServiceContext } from '../../service/service-context.js';
import { UNIT_NAME } from '../../service/service-layout.js';
import type { CliCommand } from '../cli-command.js';
import { EXIT, UsageError } from '../cli-errors.js';
import type { CliIo } from '../cli-io.js';
import { requestDaemon } from '../daemon-request.js';
import type { Output } from '../output.js';
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

/** A daemon that does not answer soon is no reason to show no log: then the log is found without it. */
const DAEMON_ANSWER_MS = 3000;

/** Where the running daemon says its log goes; undefined when none answers (or it predates the report). */
async function daemonLog(socketPath: string): Promise<LogDestination | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), DAEMON_ANSWER_MS)));
  const asked = requestDaemon(socketPath, 'status').then(
    (status) => status.log,
    () => undefined,
  );
  try {
    return await Promise.race([asked, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether output goes to a real descriptor (the terminal, a pipe), which a child can write to itself. */
function isDescriptor(sink: CliIo['stdout']): boolean {
  return 'fd' in sink && typeof sink.fd === 'number';
}

/**
 * Runs journalctl or tail for the user to read. On real stdout and stderr the
 * child writes there itself, so `arenactl logs -f | head` ends the way
 * `tail -f | head` does, with SIGPIPE to the child, which is no failure.
 */
async function passThrough(runner: CommandRunner, file: string, args: string[], io: CliIo): Promise<number> {
  const direct = isDescriptor(io.stdout) && isDescriptor(io.stderr);
  const result = await runner.run(
    file,
    args,
    direct ? { inheritOutput: true } : { onStdout: (text) => io.stdout.write(text), onStderr: (text) => io.stderr.write(text) },
  );
  if (result.missing) {
    io.stderr.write(`arenactl: ${file} is not available here\n`);
    return EXIT.failure;
  }
  return result.exitCode === 0 || result.signal === 'SIGPIPE' ? EXIT.ok : EXIT.failure;
}

/** `tail` on the log file: -F follows the name across rotation; on Linux --pid ends it with arenactl. */
function tailArgs(file: string, lines: number, follow: boolean, context: ServiceContext): string[] {
  const following = follow ? ['-F', ...(context.os === 'linux' ? [`--pid=${process.pid}`] : [])] : [];
  return ['-n', String(lines), ...following, file];
}

async function showFile(file: string, lines: number, follow: boolean, context: ServiceContext, io: CliIo, output: Output): Promise<number> {
  // tail -F waits for a file that is not there yet; a one-off look says at once that there is none.
  if (!follow && !fs.existsSync(file)) {
    throw new LogUnavailableError(`no log at ${file} yet: arenad writes it once it runs outside systemd (log.file sets where)`);
  }
  const args = tailArgs(file, lines, follow, context);
  if (!output.json) return passThrough(context.runner, 'tail', args, io);
  const result = await context.runner.run('tail', args);
  if (result.exitCode !== 0) throw new ServiceCommandError(['tail', ...args], result.exitCode, result.stderr);
  output.document({ file, lines: result.stdout.split('\n').filter((line) => line !== '') });
  return EXIT.ok;
}

async function showJournal(
  scope: 'system' | 'user',
  options: { lines: number; follow: boolean; since?: string },
  context: ServiceContext,
  io: CliIo,
  output: Output,
): Promise<number> {
  const args = journalctlArgs(scope, { ...options, json: output.json });
  if (!output.json) return passThrough(context.runner, 'journalctl', args, io);
  const result = await context.runner.run('journalctl', args, { timeoutMs: 60_000 });
  if (result.exitCode !== 0) throw new ServiceCommandError(['journalctl', ...args], result.exitCode, `${result.stderr}\n${result.stdout}`);
  output.document({ unit: UNIT_NAME, scope, entries: parseJournalJson(result.stdout) });
  return EXIT.ok;
}

export function logsCommand(makeContext: ServiceContextFactory = (io) => defaultServiceContext(io.platform)): CliCommand<LogsOptions> {
  return {
    path: ['logs'],
    description:
      "Show the daemon's log: where the running daemon writes it (the journal under systemd, else its log file), else the installed unit's journal, else the log file.",
    configure(command: Command) {
      command.option('-f, --follow', 'keep printing new lines as they come (across rotation of the file)');
      command.option('-n, --lines <n>', `how many of the last lines to show (default ${DEFAULT_LOG_LINES})`);
      command.option('--since <time>', 'only lines since then, such as "1 hour ago" or "2025-01-31 08:00" (journal only)');
      command.option('--user', "the per-user service's journal");
      command.option('--system', "the system service's journal");
    },
    async run({ options, io, output, socketPath }) {
      if (options.user && options.system) throw new UsageError('--user and --system exclude each other; give one');
      const lines = lineCount(options.lines);
      const follow = options.follow === true;
      if (follow && output.json) throw new UsageError('--json prints one document, so it cannot follow; leave out -f');
      const context = makeContext(io);
      const flagged = options.user === true || options.system === true;
      const source = locateLog({ flags: options, daemon: flagged ? undefined : await daemonLog(socketPath), context });

      if (source.kind === 'file') {
        if (options.since !== undefined) throw new UsageError(`--since needs the journal; the log is the plain file ${source.file}, so use -n`);
        return showFile(source.file, lines, follow, context, io, output);
      }
      return showJournal(source.scope, { lines, follow, ...(options.since === undefined ? {} : { since: options.since }) }, context, io, output);
    },
  };
}
