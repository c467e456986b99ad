import path from 'node:path';
import convict from 'convict';
import cronParser from 'cron-parser';
import { categoryName } from '../core/categories.js';
import { parseByteSize } from '../core/byte-size.js';
import { parseDurationSeconds } from '../core/duration.js';
import { parseUpdateWindows } from '../core/update-window.js';
import { LOG_LEVELS } from '../log/logger.js';
import { InvalidValue } from './errors.js';

/**
 * The formats of config values, as docs/configuration.md lists them. Each
 * takes a value as it was written (text from a file, a variable or a flag, or
 * a number, list or boolean YAML has already read) and returns it in its one
 * shape, or throws InvalidValue; `expected` words what fits, for the error.
 * They are registered with convict (below), which coerces text and validates
 * the finished config through them.
 */
export interface ValueFormat {
  readonly expected: string;
  /** `context`: where the value was written, for paths; without it a path is taken as it stands. */
  coerce(raw: unknown, context?: ParseContext): unknown;
}

/** Where a value was written, which is what its paths are relative to and what a bare legacy size counts in. */
export interface ParseContext {
  /** The config file's folder, or the working directory. */
  readonly baseDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly home: string;
  /** For legacy variables such as `ARENA_CACHE_MAX_GB`: what a bare number counts in. */
  readonly unit?: number;
}

/** Minimum free space on the cache filesystem: bytes, or a share of the filesystem. */
export type SizeOrPercent = number | `${number}%`;

function text(raw: unknown): string {
  if (typeof raw !== 'string') throw new InvalidValue();
  return raw;
}

/** A port, a gid or a share may come as a YAML number where text was meant. */
function textOrNumber(raw: unknown): string {
  return typeof raw === 'number' ? String(raw) : text(raw);
}

/** The number a text is when it is nothing but one (`64`, `10.5`); undefined otherwise. */
function plainNumber(raw: unknown): number | undefined {
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw.trim()) : NaN;
  return Number.isFinite(value) ? value : undefined;
}

function bytes(raw: unknown): number {
  const value = typeof raw === 'number' ? raw : (plainNumber(raw) ?? parseByteSize(text(raw).trim()));
  if (value === undefined || !Number.isFinite(value)) throw new InvalidValue();
  if (value < 0) throw new InvalidValue('a size cannot be negative');
  return Math.floor(value);
}

function integer(min: number, max: number): ValueFormat {
  return {
    expected: `a whole number from ${min} to ${max}`,
    coerce(raw) {
      const value = typeof raw === 'number' ? raw : Number(text(raw).trim());
      if (!Number.isInteger(value) || value < min || value > max) throw new InvalidValue();
      return value;
    },
  };
}

function oneOf(values: readonly string[]): ValueFormat {
  return {
    expected: `one of ${values.join(', ')}`,
    coerce(raw) {
      const written = text(raw).trim().toLowerCase();
      const match = values.find((value) => value.toLowerCase() === written);
      if (match === undefined) throw new InvalidValue();
      return match;
    },
  };
}

/** Five fields (minute hour day month weekday), or six with seconds first. */
function checkCron(expression: string): string {
  const fields = expression.trim().split(/\s+/);
  if (fields.length < 5 || fields.length > 6) {
    throw new InvalidValue(`a cron expression has 5 fields (minute hour day month weekday), this has ${fields.length}`);
  }
  try {
    cronParser.parseExpression(expression.trim());
  } catch (error) {
    throw new InvalidValue(error instanceof Error ? error.message : String(error));
  }
  return expression.trim();
}

/** `~`, `$VAR` and `${VAR}` expanded; relative paths made absolute. Empty stays empty (unset). */
function expandPath(raw: unknown, context?: ParseContext): string {
  const trimmed = text(raw).trim();
  if (trimmed === '' || context === undefined) return trimmed;
  let expanded = trimmed.replace(/\$\{(\w+)\}|\$(\w+)/g, (_whole, braced?: string, bare?: string) => {
    const value = context.env[braced ?? bare ?? ''];
    if (value === undefined) throw new InvalidValue(`the variable $${braced ?? bare} is not set`);
    return value;
  });
  if (expanded === '~' || expanded.startsWith('~/')) expanded = path.join(context.home, expanded.slice(1));
  return path.resolve(context.baseDir, expanded);
}

export const FORMATS = {
  'arena-path': { expected: 'a folder or file path (~ and $VARS are expanded)', coerce: expandPath },
  'arena-path-or-off': {
    expected: 'a file path (~ and $VARS are expanded), or "off"',
    coerce: (raw: unknown, context?: ParseContext) => (text(raw).trim().toLowerCase() === 'off' ? 'off' : expandPath(raw, context)),
  },
  'arena-path-list': {
    expected: 'a list of paths (in the environment, separated by ":")',
    coerce: (raw: unknown, context?: ParseContext) =>
      (Array.isArray(raw) ? raw : text(raw).split(':')).map((item) => expandPath(item, context)).filter((item) => item !== ''),
  },
  'arena-url': {
    expected: 'an http:// or https:// URL',
    coerce(raw: unknown) {
      const written = text(raw).trim();
      const protocol = URL.canParse(written) ? new URL(written).protocol : undefined;
      if (protocol !== 'http:' && protocol !== 'https:') throw new InvalidValue();
      return written.replace(/\/+$/, '');
    },
  },
  'arena-boolean': {
    expected: 'true or false (also 1/0, yes/no, on/off)',
    coerce(raw: unknown) {
      if (typeof raw === 'boolean') return raw;
      const word = textOrNumber(raw).trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(word)) return true;
      if (['false', '0', 'no', 'off'].includes(word)) return false;
      throw new InvalidValue();
    },
  },
  'arena-byte-size': { expected: 'a size of 0 or more, such as 500GB, 1.5TiB, 64G or a number of bytes', coerce: bytes },
  /** A rate in bytes per second: `100kB/s`, `2MB/s`, or a number; `off` is 0. */
  'arena-byte-rate': {
    expected: 'a rate such as 100kB/s, 2MB/s or a number of bytes per second; 0 or off for none',
    coerce: (raw: unknown) =>
      typeof raw === 'string' && raw.trim().toLowerCase() === 'off' ? 0 : bytes(typeof raw === 'string' ? raw.trim().replace(/\/s$/i, '') : raw),
  },
  'arena-size-or-percent': {
    expected: 'a size such as 20GB, or a share of the filesystem such as 5%',
    coerce(raw: unknown): SizeOrPercent {
      if (typeof raw !== 'string' || !raw.trim().endsWith('%')) return bytes(raw);
      const percent = Number(raw.trim().slice(0, -1));
      if (!Number.isFinite(percent) || raw.trim() === '%') throw new InvalidValue();
      if (percent < 0 || percent > 100) throw new InvalidValue('a share must be between 0% and 100%');
      return `${percent}%`;
    },
  },
  /** A share such as `90%` (or a fraction such as 0.9), as a fraction 0..1. */
  'arena-share': {
    expected: 'a share from 1% to 100%, such as 90%',
    coerce(raw: unknown) {
      const written = textOrNumber(raw).trim();
      const share = written.endsWith('%') ? Number(written.slice(0, -1)) / 100 : Number(written);
      if (written === '' || written === '%' || !Number.isFinite(share) || share <= 0 || share > 1) throw new InvalidValue();
      return share;
    },
  },
  'arena-duration': {
    expected: 'a duration of at least 1 second, such as 60, 90s, 5m or 1h',
    coerce(raw: unknown) {
      const seconds = typeof raw === 'number' ? raw : parseDurationSeconds(text(raw));
      if (seconds === undefined || !Number.isFinite(seconds)) throw new InvalidValue();
      if (seconds < 1) throw new InvalidValue('the shortest interval is 1 second');
      return seconds;
    },
  },
  'arena-concurrency': integer(1, 16),
  'arena-poll-mode': oneOf(['auto', 'always', 'never']),
  'arena-verify-mode': oneOf(['size', 'sha256']),
  'arena-log-level': oneOf(LOG_LEVELS),
  'arena-category-list': {
    expected: 'a list of model categories such as checkpoints,loras, or "all"',
    coerce(raw: unknown) {
      const names = (Array.isArray(raw) ? raw.map(text) : text(raw).split(',')).map((item) => item.trim()).filter((item) => item !== '');
      if (names.some((name) => name.toLowerCase() === 'all')) return [];
      const bad = names.find((name) => !/^[\w.-]+$/.test(name));
      if (bad !== undefined) throw new InvalidValue(`"${bad}" is not a category name`);
      return [...new Set(names.map(categoryName))];
    },
  },
  'arena-cron': { expected: 'a cron expression such as "0 4 * * *" (minute hour day month weekday)', coerce: (raw: unknown) => checkCron(text(raw)) },
  'arena-listen': {
    expected: 'HOST:PORT (such as 127.0.0.1:9777), a port number, or "off"',
    coerce(raw: unknown) {
      const written = textOrNumber(raw).trim();
      if (written.toLowerCase() === 'off') return 'off';
      const match = /^(?:(\[[0-9a-f:.]+\]|[\w.-]+):)?(\d{1,5})$/i.exec(written);
      const port = Number(match?.[2]);
      if (!match || port < 1 || port > 65535) throw new InvalidValue();
      return match[1] ? written : `127.0.0.1:${port}`;
    },
  },
  'arena-update-windows': {
    expected: 'windows such as "Sat 02:00-05:00", "Mon-Fri 01:00-06:00" or "0 2 * * 6 3h", separated by commas',
    coerce(raw: unknown) {
      const written = (Array.isArray(raw) ? raw.map(text).join(', ') : text(raw)).trim();
      const parsed = parseUpdateWindows(written);
      if (!parsed.ok) throw new InvalidValue(parsed.error);
      for (const window of parsed.windows) if (window.kind === 'cron') checkCron(window.expression);
      return written;
    },
  },
  /** A group by name or number; empty means none. */
  'arena-group': {
    expected: 'a group name such as arena, a numeric gid, or "" for none',
    coerce(raw: unknown) {
      const written = textOrNumber(raw).trim();
      if (written !== '' && !/^(?:[A-Za-z_][\w.-]*\$?|\d+)$/.test(written)) throw new InvalidValue();
      return written;
    },
  },
} satisfies Record<string, ValueFormat>;

export type FormatName = keyof typeof FORMATS;

// convict keeps formats in one registry for the process; each key of the schema names its format.
convict.addFormats(
  Object.fromEntries(
    Object.entries(FORMATS).map(([name, format]: [string, ValueFormat]) => [
      name,
      { coerce: (written: string) => format.coerce(written), validate: (value: unknown) => void format.coerce(value) },
    ]),
  ),
);

/** The value `raw` stands for in a key of this format, written at `context`; throws InvalidValue. */
export function parseValue(format: FormatName, raw: unknown, context: ParseContext): unknown {
  const plain = context.unit === undefined ? undefined : plainNumber(raw);
  return FORMATS[format].coerce(plain === undefined ? raw : plain * context.unit!, context);
}
