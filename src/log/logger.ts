import { inspect } from 'node:util';
import type { Writable } from 'node:stream';
import winston from 'winston';
import { isSameFile, writesToJournal } from './journal-stream.js';
import type { LogDestination } from './log-destination.js';
import { openLogFile, type LogFileOptions } from './log-file.js';
import { redactText, redactValue } from './redact.js';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogMeta = Record<string, unknown>;

/** What every module receives: leveled methods and a child with fixed fields. */
export interface Logger {
  error(message: string, meta?: LogMeta): void;
  warn(message: string, meta?: LogMeta): void;
  info(message: string, meta?: LogMeta): void;
  debug(message: string, meta?: LogMeta): void;
  child(meta: LogMeta): Logger;
}

/** The logger plus the controls only the daemon's wiring needs. */
export interface LoggerHandle {
  readonly logger: Logger;
  /** Where the entries go now; `file` turns null if the file cannot be written. */
  readonly destination: LogDestination;
  setLevel(level: LogLevel): void;
  /** Flushes and closes every transport. */
  close(): Promise<void>;
}

export type LogStyle = 'journal' | 'terminal' | 'plain';

export interface LoggerOptions {
  level: LogLevel;
  /** Where entries go; the daemon uses stderr, which journald reads too. */
  stream?: Writable;
  /** `journal` under systemd, `terminal` on a TTY, `plain` otherwise. */
  style: LogStyle;
  /** The rotated log file, always in plain style. */
  file?: LogFileOptions;
}

/** syslog priorities that journald reads from a `<N>` line prefix. */
const SYSLOG_PRIORITY: Record<string, number> = { error: 3, warn: 4, info: 6, debug: 7 };

const LEVEL_COLOR: Record<string, string> = { error: '31', warn: '33', info: '32', debug: '90' };

/**
 * Picks the style from the process's surroundings: the journal when the
 * stream is the one `$JOURNAL_STREAM` names, colour only on a terminal and
 * only without `NO_COLOR` (any non-empty value, as no-color.org has it).
 */
export function detectLogStyle(env: NodeJS.ProcessEnv, stream: { isTTY?: boolean; fd?: number }): LogStyle {
  if (writesToJournal(env, stream.fd)) return 'journal';
  return stream.isTTY && !env.NO_COLOR ? 'terminal' : 'plain';
}

/** Folds a multi-line text onto one line, so journald keeps it as one entry. */
function foldLines(text: string): string {
  return text.replace(/\r?\n\s*/g, ' ⏎ ');
}

function formatValue(value: unknown): string {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return JSON.stringify(foldLines(`${value.stack ?? value.message}${code ? ` (${codeText(code)})` : ''}`));
  }
  if (typeof value === 'string') return /[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return inspect(value, { breakLength: Infinity, depth: 4, compact: true });
}

/** An error's `code`: a string (`ENOENT`) or a number as a rule, anything else shown as inspect shows it. */
function codeText(code: unknown): string {
  return typeof code === 'string' || typeof code === 'number' ? String(code) : inspect(code, { breakLength: Infinity, compact: true });
}

/** Fields of an entry that are not shown as `key=value`: the level and time lead the line, the message is its start. */
const ENTRY_FIELDS = new Set(['level', 'message', 'timestamp']);

/** `message key=value key=value`, with `err` rendered as its stack. */
function renderEntry(info: winston.Logform.TransformableInfo): string {
  const parts = [String(info.message)];
  for (const [key, value] of Object.entries(info)) {
    if (ENTRY_FIELDS.has(key) || value === undefined) continue;
    parts.push(`${key}=${formatValue(value)}`);
  }
  return foldLines(parts.join(' '));
}

const redactFields = winston.format((info) => {
  const cleaned = redactValue({ ...info }) as Record<string, unknown>;
  for (const [key, value] of Object.entries(cleaned)) info[key] = value;
  return info;
});

function lineFormat(style: LogStyle): winston.Logform.Format {
  return winston.format.printf((info) => {
    const body = redactText(renderEntry(info));
    if (style === 'journal') return `<${SYSLOG_PRIORITY[info.level] ?? 6}>${body}`;
    const time = String(info.timestamp);
    if (style === 'terminal') {
      const color = LEVEL_COLOR[info.level] ?? '0';
      return `\u001b[90m${time}\u001b[0m \u001b[${color}m${info.level.padEnd(5)}\u001b[0m ${body}`;
    }
    return `${time} ${info.level.padEnd(5)} ${body}`;
  });
}

function timestampFormat(): winston.Logform.Format {
  return winston.format.timestamp({ format: 'YYYY-MM-DD HH:mm:ss.SSS' });
}

function descriptorOf(stream: Writable): number | undefined {
  const fd = (stream as { fd?: unknown }).fd;
  return typeof fd === 'number' ? fd : undefined;
}

function waitForFinish(stream: Writable): Promise<void> {
  if (stream.writableFinished || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('finish', () => resolve());
    stream.once('close', () => resolve());
    stream.once('error', () => resolve());
  });
}

export function createLogger(options: LoggerOptions): LoggerHandle {
  const levels = Object.fromEntries(LOG_LEVELS.map((level, index) => [level, index]));
  const stream = options.stream ?? process.stderr;
  const streamTransport = new winston.transports.Stream({ stream, format: lineFormat(options.style) });
  // `arenad 2>>arenad.log`, or launchd's StandardErrorPath: the file transport alone writes there, so no line is doubled.
  const streamIsTheFile = options.file !== undefined && isSameFile(descriptorOf(stream), options.file.file);
  // Redacted and timestamped once, so that every destination shows the same line.
  const logger = winston.createLogger({
    levels,
    level: options.level,
    format: winston.format.combine(redactFields(), timestampFormat()),
    transports: streamIsTheFile ? [] : [streamTransport],
    exitOnError: false,
  });

  let file: string | null = null;
  let fileStream: Writable | undefined;
  let fileTransport: winston.transport | undefined;
  let dropped = false;
  const dropFile = (error: Error) => {
    if (dropped) return;
    dropped = true;
    if (fileTransport) logger.remove(fileTransport);
    fileTransport = undefined;
    if (streamIsTheFile) logger.add(streamTransport);
    logger.warn(`cannot write the log file ${options.file!.file}: ${error.message}; logging to stderr only`);
    file = null;
  };
  if (options.file) {
    try {
      fileStream = openLogFile(options.file);
      fileStream.on('error', dropFile);
      fileTransport = new winston.transports.Stream({ stream: fileStream, format: lineFormat('plain') });
      logger.add(fileTransport);
      file = options.file.file;
    } catch (error) {
      dropFile(error as Error);
    }
  }
  const journal = options.style === 'journal';
  return {
    logger,
    get destination() {
      return { journal, file };
    },
    setLevel(level) {
      logger.level = level;
    },
    async close() {
      await new Promise<void>((resolve) => {
        logger.on('finish', () => resolve());
        logger.end();
      });
      if (fileStream) {
        fileStream.end();
        await waitForFinish(fileStream);
      }
    },
  };
}

/** A logger that drops everything, for tests and for commands that log nothing. */
export const silentLogger: Logger = {
  error() {},
  warn() {},
  info() {},
  debug() {},
  child() {
    return silentLogger;
  },
};
