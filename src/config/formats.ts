import path from 'node:path';
import cronParser from 'cron-parser';
import { categoryName } from '../core/categories.js';
import { parseByteSize } from '../core/byte-size.js';
import { parseDurationSeconds } from '../core/duration.js';
import { parseUpdateWindows } from '../core/update-window.js';
import { LOG_LEVELS, type LogLevel } from '../log/logger.js';
import { InvalidValue } from './errors.js';


export interface ParseContext {
  /** Relative paths resolve against this: the config file's folder, or the working directory. */
  readonly baseDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly home: string;
  /** For legacy variables such as `ARENA_CACHE_MAX_GB`: what a bare number counts in. */
  readonly unit?: number;
}

export interface ValueFormat<T> {
  readonly name: string;
  /** What a valid value looks like, for error messages. */
  readonly expected: string;
  parse(raw: unknown, context: ParseContext): T;
}

/** Minimum free space on the cache filesystem: bytes, or a share of the filesystem. */
export type SizeOrPercent = number | `${number}%`;

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

function requireText(raw: unknown): string {
  if (typeof raw !== 'string') throw new InvalidValue();
  return raw;
}

/** `~`, `$VAR` and `${VAR}` expanded; relative paths made absolute. Empty stays empty (unset). */
export function expandPath(text: string, context: ParseContext): string {
  const trimmed = text.trim();
  if (trimmed === '') return '';
  let expanded = trimmed.replace(/\$\{(\w+)\}|\$(\w+)/g, (_whole, braced?: string, bare?: string) => {
    const value = context.env[braced ?? bare ?? ''];
    if (value === undefined) throw new InvalidValue(`the variable $${braced ?? bare} is not set`);
    return value;
  });
  if (expanded === '~' || expanded.startsWith('~/')) expanded = path.join(context.home, expanded.slice(1));
  return path.resolve(context.baseDir, expanded);
}

export const pathFormat: ValueFormat<string> = {
  name: 'arena-path',
  expected: 'a folder or file path (~ and $VARS are expanded)',
  parse: (raw, context) => expandPath(requireText(raw), context),
};

/** A path, or `off` for "none at all" (log.file); empty stays empty (the default place). */
export const pathOrOffFormat: ValueFormat<string> = {
  name: 'arena-path-or-off',
  expected: 'a file path (~ and $VARS are expanded), or "off"',
  parse(raw, context) {
    const text = requireText(raw);
    return text.trim().toLowerCase() === 'off' ? 'off' : expandPath(text, context);
  },
};

export const pathListFormat: ValueFormat<string[]> = {
  name: 'arena-path-list',
  expected: 'a list of paths (in the environment, separated by ":")',
  parse(raw, context) {
    const items = Array.isArray(raw) ? raw : requireText(raw).split(':');
    return items.map((item) => expandPath(requireText(item), context)).filter((item) => item !== '');
  },
};

export const urlFormat: ValueFormat<string> = {
  name: 'arena-url',
  expected: 'an http:// or https:// URL',
  parse(raw) {
    const text = requireText(raw).trim();
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new InvalidValue();
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidValue();
    return text.replace(/\/+$/, '');
  },
};

export const booleanFormat: ValueFormat<boolean> = {
  name: 'arena-boolean',
  expected: 'true or false (also 1/0, yes/no, on/off)',
  parse(raw) {
    if (typeof raw === 'boolean') return raw;
    const word = typeof raw === 'number' ? String(raw) : requireText(raw).trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
    throw new InvalidValue();
  },
};

function parseSize(raw: unknown, context: ParseContext): number {
  let bytes: number | undefined;
  if (typeof raw === 'number') bytes = raw * (context.unit ?? 1);
  else {
    const text = requireText(raw).trim();
    const plain = Number(text);
    bytes = text !== '' && Number.isFinite(plain) ? plain * (context.unit ?? 1) : parseByteSize(text);
  }
  if (bytes === undefined || !Number.isFinite(bytes)) throw new InvalidValue();
  if (bytes < 0) throw new InvalidValue('a size cannot be negative');
  return Math.floor(bytes);
}

export const byteSizeFormat: ValueFormat<number> = {
  name: 'arena-byte-size',
  expected: 'a size of 0 or more, such as 500GB, 1.5TiB, 64G or a number of bytes',
  parse: parseSize,
};

/** A rate in bytes per second: `100kB/s`, `2MB/s`, or a number; `off` is 0. */
export const byteRateFormat: ValueFormat<number> = {
  name: 'arena-byte-rate',
  expected: 'a rate such as 100kB/s, 2MB/s or a number of bytes per second; 0 or off for none',
  parse(raw, context) {
    if (typeof raw === 'string' && raw.trim().toLowerCase() === 'off') return 0;
    return parseSize(typeof raw === 'string' ? raw.trim().replace(/\/s$/i, '') : raw, context);
  },
};

export const sizeOrPercentFormat: ValueFormat<SizeOrPercent> = {
  name: 'arena-size-or-percent',
  expected: 'a size such as 20GB, or a share of the filesystem such as 5%',
  parse(raw, context) {
    if (typeof raw === 'string' && raw.trim().endsWith('%')) {
      const percent = Number(raw.trim().slice(0, -1));
      if (!Number.isFinite(percent) || raw.trim() === '%') throw new InvalidValue();
      if (percent < 0 || percent > 100) throw new InvalidValue('a share must be between 0% and 100%');
      return `${percent}%`;
    }
    return parseSize(raw, context);
  },
};

export const durationFormat: ValueFormat<number> = {
  name: 'arena-duration',
  expected: 'a duration of at least 1 second, such as 60, 90s, 5m or 1h',
  parse(raw) {
    const seconds = typeof raw === 'number' ? raw : parseDurationSeconds(requireText(raw));
    if (seconds === undefined || !Number.isFinite(seconds)) throw new InvalidValue();
    if (seconds < 1) throw new InvalidValue('the shortest interval is 1 second');
    return seconds;
  },
};

export function integerFormat(min: number, max: number): ValueFormat<number> {
  return {
    name: `arena-integer-${min}-${max}`,
    expected: `a whole number from ${min} to ${max}`,
    parse(raw) {
      const value = typeof raw === 'number' ? raw : Number(requireText(raw).trim());
      if (!Number.isInteger(value) || value < min || value > max) throw new InvalidValue();
      return value;
    },
  };
}

export function enumFormat<const T extends string>(name: string, values: readonly T[]): ValueFormat<T> {
  return {
    name,
    expected: `one of ${values.join(', ')}`,
    parse(raw) {
      const text = requireText(raw).trim().toLowerCase();
      const match = values.find((value) => value.toLowerCase() === text);
      if (match === undefined) throw new InvalidValue();
      return match;
    },
  };
}

export const logLevelFormat: ValueFormat<LogLevel> = enumFormat('arena-log-level', LOG_LEVELS);

export const categoryListFormat: ValueFormat<string[]> = {
  name: 'arena-category-list',
  expected: 'a list of model categories such as checkpoints,loras, or "all"',
  parse(raw) {
    const items = Array.isArray(raw) ? raw.map(requireText) : requireText(raw).split(',');
    const names = items.map((item) => item.trim()).filter((item) => item !== '');
    if (names.some((name) => name.toLowerCase() === 'all')) return [];
    for (const name of names) {
      if (!/^[\w.-]+$/.test(name)) throw new InvalidValue(`"${name}" is not a category name`);
    }
    return [...new Set(names.map(categoryName))];
  },
};

/** Five fields (minute hour day month weekday), or six with seconds first. */
export function validateCron(expression: string): void {
  const fields = expression.trim().split(/\s+/);
  if (fields.length < 5 || fields.length > 6) {
    throw new InvalidValue(`a cron expression has 5 fields (minute hour day month weekday), this has ${fields.length}`);
  }
  try {
    cronParser.parseExpression(expression.trim());
  } catch (error) {
    throw new InvalidValue(error instanceof Error ? error.message : String(error));
  }
}

export const cronFormat: ValueFormat<string> = {
  name: 'arena-cron',
  expected: 'a cron expression such as "0 4 * * *" (minute hour day month weekday)',
  parse(raw) {
    const text = requireText(raw).trim();
    validateCron(text);
    return text;
  },
};

export const listenFormat: ValueFormat<string> = {
  name: 'arena-listen',
  expected: 'HOST:PORT (such as 127.0.0.1:9777), a port number, or "off"',
  parse(raw) {
    const text = (typeof raw === 'number' ? String(raw) : requireText(raw)).trim();
    if (text.toLowerCase() === 'off') return 'off';
    const match = /^(?:(\[[0-9a-f:.]+\]|[\w.-]+):)?(\d{1,5})$/i.exec(text);
    const port = Number(match?.[2]);
    if (!match || port < 1 || port > 65535) throw new InvalidValue();
    return match[1] ? text : `127.0.0.1:${port}`;
  },
};

export const updateWindowsFormat: ValueFormat<string> = {
  name: 'arena-update-windows',
  expected: 'windows such as "Sat 02:00-05:00", "Mon-Fri 01:00-06:00" or "0 2 * * 6 3h", separated by commas',
  parse(raw) {
    const text = (Array.isArray(raw) ? raw.map(requireText).join(', ') : requireText(raw)).trim();
    const parsed = parseUpdateWindows(text);
    if (!parsed.ok) throw new InvalidValue(parsed.error);
    for (const window of parsed.windows) if (window.kind === 'cron') validateCron(window.expression);
    return text;
  },
};

/** A share such as `90%` (or a fraction such as 0.9), as a fraction 0..1. */
export const shareFormat: ValueFormat<number> = {
  name: 'arena-share',
  expected: 'a share from 1% to 100%, such as 90%',
  parse(raw) {
    const text = typeof raw === 'number' ? String(raw) : requireText(raw).trim();
    const share = text.endsWith('%') ? Number(text.slice(0, -1)) / 100 : Number(text);
    if (text === '' || text === '%' || !Number.isFinite(share) || share <= 0 || share > 1) throw new InvalidValue();
    return share;
  },
};
