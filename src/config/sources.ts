import type { ConfigKey } from './schema.js';

/** Where a value came from, so that `config show` and every error can say so. */
export type ConfigSource =
  | { readonly kind: 'default' }
  | { readonly kind: 'file'; readonly file: string; readonly line?: number }
  | { readonly kind: 'env-file'; readonly file: string; readonly line: number; readonly variable: string }
  | { readonly kind: 'env'; readonly variable: string }
  | { readonly kind: 'flag'; readonly flag: string };

function fileAndLine(source: { readonly file: string; readonly line?: number }): string {
  return source.line === undefined ? source.file : `${source.file}:${source.line}`;
}

/** `/etc/arena/config.yaml:4`, `environment ARENA_CACHE_ROOT`, `flag --cache.maxBytes`, `default`. */
export function describeSource(source: ConfigSource): string {
  switch (source.kind) {
    case 'default':
      return 'default';
    case 'file':
      return fileAndLine(source);
    case 'env-file':
      return `${fileAndLine(source)} (${source.variable})`;
    case 'env':
      return `environment ${source.variable}`;
    case 'flag':
      return `flag ${source.flag}`;
  }
}

/** Where a name was written, to follow it in a message: "in the environment", "in /etc/arena/config.yaml:4". */
export function locationOf(source: ConfigSource): string {
  switch (source.kind) {
    case 'default':
      return 'in the defaults';
    case 'file':
    case 'env-file':
      return `in ${fileAndLine(source)}`;
    case 'env':
      return 'in the environment';
    case 'flag':
      return 'on the command line';
  }
}

/** One value one source offers for one key, before it is checked. */
export interface Assignment {
  readonly key: ConfigKey;
  readonly raw: unknown;
  readonly source: ConfigSource;
  /** For legacy `_GB`/`_MB` variables: what a bare number counts in. */
  readonly unit?: number;
}

export interface ConfigProblem {
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly source: ConfigSource;
  readonly key?: string;
  /** An unknown key or variable: an error, except where a caller only needs to find the daemon. */
  readonly unknown?: boolean;
}

/** A source's findings as one list each, in the order they were made. */
export interface SourceReading {
  readonly assignments: Assignment[];
  readonly problems: ConfigProblem[];
}
