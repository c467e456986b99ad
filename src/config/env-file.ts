import fs from 'node:fs';
import path from 'node:path';

/**
 * The legacy settings file `<comfy.root>/user/arena_autocache.env`: `KEY=value`
 * lines, `#` comments, optional `export ` and quotes. The old AutoCache nodes
 * and ComfyUI share it with the daemon, so it is read leniently: a bad line is
 * reported and skipped, never fatal on its own.
 */

export const LEGACY_ENV_FILE = path.join('user', 'arena_autocache.env');

export interface ParsedEnvFile {
  readonly file: string;
  readonly entries: ReadonlyArray<{ readonly name: string; readonly value: string; readonly line: number }>;
  readonly problems: ReadonlyArray<{ readonly line: number; readonly message: string }>;
}

function unquote(value: string): string {
  const first = value[0];
  if (value.length >= 2 && (first === '"' || first === "'") && value.endsWith(first)) return value.slice(1, -1);
  // An unquoted value may carry a trailing comment after whitespace.
  return value.replace(/\s+#.*$/, '');
}

export function parseEnvText(file: string, text: string): ParsedEnvFile {
  const entries: Array<ParsedEnvFile['entries'][number]> = [];
  const problems: Array<ParsedEnvFile['problems'][number]> = [];
  text.split(/\r?\n/).forEach((rawLine, index) => {
    const line = index + 1;
    const trimmed = rawLine.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const body = trimmed.startsWith('export ') ? trimmed.slice('export '.length).trimStart() : trimmed;
    const equals = body.indexOf('=');
    const name = equals < 0 ? '' : body.slice(0, equals).trim();
    if (/^[A-Za-z_]\w*$/.test(name)) entries.push({ name, value: unquote(body.slice(equals + 1).trim()), line });
    else problems.push({ line, message: `${file}:${line}: expected KEY=value, found "${trimmed}"` });
  });
  return { file, entries, problems };
}

/** The file-system calls the cache makes, injectable so tests can count reads. */
export interface EnvFileSystem {
  statSync(file: string): { mtimeMs: number; size: number };
  readFileSync(file: string, encoding: 'utf8'): string;
}

/**
 * Parses each env file once and keeps the result until the file changes on
 * disk (mtime or size), so that reading settings often costs one `stat`.
 */
export class EnvFileCache {
  readonly #fs: EnvFileSystem;
  readonly #parsed = new Map<string, { mtimeMs: number; size: number; result: ParsedEnvFile }>();

  constructor(fileSystem: EnvFileSystem = fs) {
    this.#fs = fileSystem;
  }

  /** The parsed file, or undefined when there is none. */
  read(file: string): ParsedEnvFile | undefined {
    let stat: { mtimeMs: number; size: number };
    try {
      stat = this.#fs.statSync(file);
    } catch {
      // No file (or none this user may see) is the common case: no legacy settings.
      this.#parsed.delete(file);
      return undefined;
    }
    const cached = this.#parsed.get(file);
    if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached.result;
    let text: string;
    try {
      text = this.#fs.readFileSync(file, 'utf8');
    } catch (error) {
      return { file, entries: [], problems: [{ line: 0, message: `${file} cannot be read: ${String(error)}` }] };
    }
    const result = parseEnvText(file, text);
    this.#parsed.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, result });
    return result;
  }
}

/** One cache for the whole process. */
export const sharedEnvFileCache = new EnvFileCache();
