import type { ConfigKey } from './schema.js';

/** Where a value came from, so that `config show` and every error can say so. */
export type ConfigSource =
  | { readonly kind: 'default' }
  | { readonly kind: 'file'; readonly file: string; readonly line?: number }
  | { readonly kind: 'env-file'; readonly file: string; readonly line: number; readonly variable: string }
  | { readonly kind: 'env'; readonly variable: string }
  | { readonly kind: 'flag'; readonly flag: string };

export function describeSource(source: ConfigSource): string {
  switch (source.kind) {
    case 'default':
      return 'default';
    case 'file':
      return source.line === undefined ? source.file : `${source.file}:${source.line}`;
    case 'env-file':
      return `${source.file}:${source.line} (${source.variable})`;
    case 'env':
      return `environment ${source.variable}`;
    case 'flag':
      return `flag ${source.flag}`;
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
  /** An unknown key or variable: a warning at start, an error in `arenactl config check`. */
  readonly unknown?: boolean;
}

/** Reads a source's findings as one list, in the order they were made. */
export interface SourceReading {
  readonly assignments: Assignment[];
  readonly problems: ConfigProblem[];
}
