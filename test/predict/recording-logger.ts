/** A Logger that keeps every entry, so that tests can assert what was said, at which level, and how often. */
import type { LogMeta, Logger, LogLevel } from '../../src/log/logger.js';

export interface LogEntry {
  readonly level: LogLevel;
  readonly message: string;
  readonly meta: LogMeta;
}

export interface RecordingLogger {
  readonly logger: Logger;
  readonly entries: LogEntry[];
  /** The entries of one level. */
  at(level: LogLevel): LogEntry[];
  /** True when an entry of `level` has a message matching `pattern` (and meta fields equal to `meta`). */
  has(level: LogLevel, pattern: RegExp, meta?: LogMeta): boolean;
}

export function recordingLogger(): RecordingLogger {
  const entries: LogEntry[] = [];
  const make = (fixed: LogMeta): Logger => {
    const log =
      (level: LogLevel) =>
      (message: string, meta: LogMeta = {}) =>
        entries.push({ level, message, meta: { ...fixed, ...meta } });
    return { error: log('error'), warn: log('warn'), info: log('info'), debug: log('debug'), child: (meta) => make({ ...fixed, ...meta }) };
  };
  return {
    logger: make({}),
    entries,
    at: (level) => entries.filter((entry) => entry.level === level),
    has: (level, pattern, meta = {}) =>
      entries.some(
        (entry) => entry.level === level && pattern.test(entry.message) && Object.entries(meta).every(([key, value]) => entry.meta[key] === value),
      ),
  };
}
