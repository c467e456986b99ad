import { inspect } from 'node:util';
import type { Writable } from 'node:stream';
import winston from 'winston';
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
  /** Optional second destination, for launchd, where there is no journal. */
  file?: string;
}

/** syslog priorities that journald reads from a `<N>` line prefix. */
const SYSLOG_PRIORITY: Record<string, number> = { error: 3, warn: 4, info: 6, debug: 7 };

const LEVEL_COLOR: Record<string, string> = { error: '31', warn: '33', info: '32', debug: '90' };

/** Picks the style from the process's surroundings: journald sets `$JOURNAL_STREAM`. */
export function detectLogStyle(env: NodeJS.ProcessEnv, stream: { isTTY?: boolean }): LogStyle {
  if (env.JOURNAL_STREAM) return 'journal';
  return stream.isTTY ? 'terminal' : 'plain';
}

/** Folds a multi-line text onto one line, so journald keeps it as one entry. */
function foldLines(text: string): string {
  return text.replace(/\r?\n\s*/g, ' ⏎ ');
}

function formatValue(value: unknown): string {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return JSON.stringify(foldLines(`${value.stack ?? value.message}${code ? ` (${String(code)})` : ''}`));
  }
  if (typeof value === 'string') return /[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return inspect(value, { breakLength: Infinity, depth: 4, compact: true });
}

/** `message key=value key=value`, with `err` rendered as its stack. */
function renderEntry(info: winston.Logform.TransformableInfo): string {
  const { level: _level, message, timestamp: _timestamp, ...meta } = info;
  const parts = [String(message)];
  for (const [key, value] of Object.entries(meta)) {
    if (value === undefined) continue;
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

export function createLogger(options: LoggerOptions): LoggerHandle {
  const levels = Object.fromEntries(LOG_LEVELS.map((level, index) => [level, index]));
  const transports: winston.transport[] = [
    new winston.transports.Stream({
      stream: options.stream ?? process.stderr,
      format: winston.format.combine(redactFields(), timestampFormat(), lineFormat(options.style)),
    }),
  ];
  if (options.file) {
    transports.push(
      new winston.transports.File({
        filename: options.file,
        format: winston.format.combine(redactFields(), timestampFormat(), lineFormat('plain')),
      }),
    );
  }
  const logger = winston.createLogger({ levels, level: options.level, transports, exitOnError: false });
  return {
    logger,
    setLevel(level) {
      logger.level = level;
    },
    close() {
      return new Promise((resolve) => {
        logger.on('finish', () => resolve());
        logger.end();
      });
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
