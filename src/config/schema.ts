import path from 'node:path';
import type { FormatName, SizeOrPercent } from './formats.js';
import type { LogLevel } from '../log/logger.js';

/**
 * One key, in convict's own terms (`format` names one of formats.ts, `env` is
 * the variable that sets it), plus what convict has no word for. What each key
 * means is in docs/configuration.md, which a test keeps in step with this.
 */
export interface KeyDefinition<T> {
  readonly format: FormatName;
  readonly default: T;
  /** The environment variable (and env-file line) that sets the key. */
  readonly env: string;
  /** What a bare number in `env` counts in, for variables named `_GB`, `_MB`. */
  readonly envUnit?: number;
  /** A running daemon cannot take a new value without a restart. */
  readonly needsRestart?: boolean;
}

/** The surroundings that defaults depend on, injected so tests control them. */
export interface Platform {
  readonly env: NodeJS.ProcessEnv;
  readonly home: string;
  readonly uid: number;
  readonly cwd: string;
  exists(file: string): boolean;
}

/** The legacy AutoCache nodes computed `_GB` and `_MB` with powers of 1024, so those variables keep binary units. */
export const GIB = 2 ** 30;
export const MIB = 2 ** 20;

/** systemd passes several directories joined by `:` when a unit lists several. */
function firstOf(list: string | undefined): string | undefined {
  return list?.split(':')[0] || undefined;
}

/**
 * The systemd unit's runtime folder, else the session's, else the user's
 * runtime folder when it exists though the variable is unset (su, cron, an
 * ssh without a login session), and only then a folder in /tmp, which another
 * user could create first.
 */
export function defaultSocketPath(env: NodeJS.ProcessEnv, uid: number, exists: (file: string) => boolean): string {
  const runtime = firstOf(env.RUNTIME_DIRECTORY);
  if (runtime) return path.join(runtime, 'arenad.sock');
  const userRuntime = env.XDG_RUNTIME_DIR || (exists(`/run/user/${uid}`) ? `/run/user/${uid}` : undefined);
  if (userRuntime) return path.join(userRuntime, 'arena', 'arenad.sock');
  return path.join('/tmp', `arena-${uid}`, 'arenad.sock');
}

/**
 * A default typed as every value its key may take rather than as the one
 * literal written (`[]` alone is `never[]`, `'auto'` alone just `'auto'`):
 * the config's types are inferred from these defaults.
 */
function defaultOf<T>(value: T): T {
  return value;
}

export function buildSchema(platform: Platform) {
  const { env, home } = platform;
  const comfy = path.join(home, 'ComfyUI');
  const cacheRoot = firstOf(env.CACHE_DIRECTORY) ?? path.join(env.XDG_CACHE_HOME || path.join(home, '.cache'), 'arena');
  const stateDir = firstOf(env.STATE_DIRECTORY) ?? path.join(env.XDG_STATE_HOME || path.join(home, '.local', 'state'), 'arena');
  return {
    comfy: {
      root: { format: 'arena-path', default: platform.exists(comfy) ? comfy : '', env: 'ARENA_COMFY_ROOT' },
      url: { format: 'arena-url', default: 'http://127.0.0.1:8188', env: 'ARENA_COMFY_URL' },
    },
    library: {
      roots: { format: 'arena-path-list', default: defaultOf<string[]>([]), env: 'ARENA_LIBRARY_ROOTS' },
      poll: { format: 'arena-poll-mode', default: defaultOf<'auto' | 'always' | 'never'>('auto'), env: 'ARENA_LIBRARY_POLL' },
      pollInterval: { format: 'arena-duration', default: 60, env: 'ARENA_LIBRARY_POLL_S' },
      rescanInterval: { format: 'arena-duration', default: 900, env: 'ARENA_LIBRARY_RESCAN_S' },
    },
    cache: {
      enable: { format: 'arena-boolean', default: true, env: 'ARENA_CACHE_ENABLE' },
      root: { format: 'arena-path', default: cacheRoot, env: 'ARENA_CACHE_ROOT', needsRestart: true },
      maxBytes: { format: 'arena-byte-size', default: 0, env: 'ARENA_CACHE_MAX_GB', envUnit: GIB },
      lowWater: { format: 'arena-share', default: 0.9, env: 'ARENA_CACHE_LOW_WATER' },
      minFreeBytes: { format: 'arena-size-or-percent', default: defaultOf<SizeOrPercent>('5%'), env: 'ARENA_CACHE_MIN_FREE_GB', envUnit: GIB },
      minFileBytes: { format: 'arena-byte-size', default: 0, env: 'ARENA_CACHE_MIN_SIZE_MB', envUnit: MIB },
      categories: { format: 'arena-category-list', default: defaultOf<string[]>([]), env: 'ARENA_CACHE_CATEGORIES' },
      trimSchedule: { format: 'arena-cron', default: '0 4 * * *', env: 'ARENA_CACHE_TRIM_CRON' },
    },
    prefetch: {
      concurrency: { format: 'arena-concurrency', default: 2, env: 'ARENA_PREFETCH_CONCURRENCY' },
      verify: { format: 'arena-verify-mode', default: defaultOf<'size' | 'sha256'>('sha256'), env: 'ARENA_PREFETCH_VERIFY' },
    },
    control: {
      socket: {
        format: 'arena-path',
        default: defaultSocketPath(env, platform.uid, (file) => platform.exists(file)),
        env: 'ARENA_SOCKET',
        needsRestart: true,
      },
      socketGroup: { format: 'arena-group', default: '', env: 'ARENA_SOCKET_GROUP', needsRestart: true },
    },
    metrics: {
      listen: { format: 'arena-listen', default: '127.0.0.1:9777', env: 'ARENA_METRICS_LISTEN', needsRestart: true },
    },
    updates: {
      manifest: { format: 'arena-path', default: '', env: 'ARENA_UPDATES_MANIFEST' },
      windows: { format: 'arena-update-windows', default: '', env: 'ARENA_UPDATE_WINDOWS' },
      hfEndpoint: { format: 'arena-url', default: 'https://huggingface.co', env: 'ARENA_HF_ENDPOINT' },
      civitaiEndpoint: { format: 'arena-url', default: 'https://civitai.com', env: 'ARENA_CIVITAI_ENDPOINT' },
      stallTimeout: { format: 'arena-duration', default: 60, env: 'ARENA_UPDATE_STALL_TIMEOUT' },
      minRate: { format: 'arena-byte-rate', default: 100_000, env: 'ARENA_UPDATE_MIN_RATE' },
    },
    log: {
      level: { format: 'arena-log-level', default: defaultOf<LogLevel>('info'), env: 'ARENA_LOG_LEVEL' },
      file: { format: 'arena-path-or-off', default: '', env: 'ARENA_LOG_FILE', needsRestart: true },
    },
    state: {
      dir: { format: 'arena-path', default: stateDir, env: 'ARENA_STATE_DIR', needsRestart: true },
    },
  } satisfies Record<string, Record<string, KeyDefinition<unknown>>>;
}

export type Schema = ReturnType<typeof buildSchema>;

type ValueOf<D> = D extends KeyDefinition<infer T> ? T : never;

export type ArenaConfig = {
  readonly [S in keyof Schema]: { readonly [K in keyof Schema[S]]: ValueOf<Schema[S][K]> };
};

export type ConfigKey = { [S in keyof Schema]: `${S & string}.${keyof Schema[S] & string}` }[keyof Schema];

/** Every key of the schema with its definition, in schema order. */
export function schemaEntries(schema: Schema): Array<[ConfigKey, KeyDefinition<unknown>]> {
  const sections: Record<string, Record<string, KeyDefinition<unknown>>> = schema;
  return Object.entries(sections).flatMap(([section, keys]) =>
    Object.entries(keys).map(([name, definition]): [ConfigKey, KeyDefinition<unknown>] => [`${section}.${name}` as ConfigKey, definition]),
  );
}

/** Reads one key of a config by its dotted name. */
export function configValue(config: ArenaConfig, configKey: ConfigKey): unknown {
  const [section, name] = configKey.split('.') as [keyof ArenaConfig, string];
  return (config[section] as Record<string, unknown>)[name];
}
