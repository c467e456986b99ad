import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config.js';
import { DaemonUnreachableError } from '../../control/control-client.js';
import { DEFAULT_SESSION_GAP_SECONDS, formatTrace, historyToTrace, type HistoryEntry } from '../../core/simulate/index.js';
import { USAGE_HISTORY_FILE, UsageHistory } from '../../predict/usage-history.js';
import type { CliCommand, CommandRun } from '../cli-command.js';
import { UsageError } from '../cli-errors.js';
import { requestDaemon } from '../daemon-request.js';
import { counted } from '../wording.js';

interface HistoryExportOptions {
  readonly trace?: boolean;
  readonly out?: string;
  readonly sessionGap?: string;
}

/** The running daemon's history file (flushed); without a daemon, the one the configuration names. */
async function historyFile(run: CommandRun<HistoryExportOptions>): Promise<{ file: string; from: 'daemon' | 'config' }> {
  try {
    const { file } = await requestDaemon(run.socketPath, 'history.file');
    return { file, from: 'daemon' };
  } catch (error) {
    if (!(error instanceof DaemonUnreachableError)) throw error;
    const { config } = loadConfig({ platform: run.io.platform });
    return { file: path.join(config.state.dir, USAGE_HISTORY_FILE), from: 'config' };
  }
}

function sessionGapOption(text: string | undefined): number {
  if (text === undefined) return DEFAULT_SESSION_GAP_SECONDS;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds < 0) throw new UsageError(`--session-gap ${text}: expected a number of seconds, 0 or more`);
  return seconds;
}

export const historyExportCommand: CliCommand<HistoryExportOptions> = {
  path: ['history', 'export'],
  description: "Write the daemon's usage history (runs and saved workflows) as a trace that arenactl simulate replays.",
  configure(command: Command) {
    command
      .option('--trace', 'write the simulate trace format (NDJSON, t in seconds from the first event); the only format so far')
      .option('--out <file>', 'write the trace to this file instead of stdout')
      .option(
        '--session-gap <seconds>',
        `a run within this many seconds of the previous one finds that run's models still loaded in ComfyUI, so they are not read again; 0 lists every model of every run (default ${DEFAULT_SESSION_GAP_SECONDS})`,
      );
  },
  async run(run) {
    const { options, output } = run;
    if (options.trace !== true) throw new UsageError('say --trace: the trace format of arenactl simulate is the only export format');
    const sessionGapSeconds = sessionGapOption(options.sessionGap);
    const { file, from } = await historyFile(run);
    const contents = await UsageHistory.readFile(file);
    const entries: HistoryEntry[] = [
      ...contents.runs.map((entry) => ({ t: entry.t, type: 'run' as const, models: entry.models })),
      ...contents.saves.map((entry) => ({ t: entry.t, type: 'save' as const, models: entry.models })),
    ];
    const trace = historyToTrace(entries, { sessionGapSeconds });
    const text = formatTrace(trace.events);
    if (options.out !== undefined) await writeFile(options.out, text);

    if (contents.skipped > 0) output.note(`warning: skipped ${contents.skipped} unreadable line(s) of ${file}`);
    if (trace.unsized.length > 0)
      output.note(`warning: left out ${trace.unsized.length} model(s) whose size the history never recorded: ${trace.unsized.join(', ')}`);
    const summary = {
      source: file,
      sourceFrom: from,
      out: options.out ?? null,
      runs: contents.runs.length,
      saves: contents.saves.length,
      events: trace.events.length,
      keptLoaded: trace.keptLoaded,
      unsized: trace.unsized,
      skippedLines: contents.skipped,
    };
    if (output.json) {
      output.document(options.out === undefined ? { ...summary, trace: trace.events } : summary);
      return 0;
    }
    if (options.out === undefined) {
      if (trace.events.length === 0) output.note(`the usage history ${file} holds no runs or saves yet`);
      else output.line(text.replace(/\n$/, ''));
      return 0;
    }
    output.line(
      `wrote ${counted(trace.events.length, 'event')} (${counted(contents.runs.length, 'run')}, ${counted(contents.saves.length, 'save')}) from ${file} to ${options.out}`,
    );
    output.line(`replay it: arenactl simulate --trace ${options.out} --capacity 64GB --policy arena`);
    return 0;
  },
};
