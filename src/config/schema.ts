import path from 'node:path';
import {
  booleanFormat,
  byteRateFormat,
  byteSizeFormat,
  categoryListFormat,
  cronFormat,
  durationFormat,
  enumFormat,
  integerFormat,
  listenFormat,
  logLevelFormat,
  pathFormat,
  pathListFormat,
  pathOrOffFormat,
  shareFormat,
  sizeOrPercentFormat,
  updateWindowsFormat,
  urlFormat,
  type SizeOrPercent,
  type ValueFormat,
} from './formats.js';
import { InvalidValue } from './errors.js';
import type { LogLevel } from '../log/logger.js';

export interface KeyDefinition<T> {
  readonly format: ValueFormat<T>;
  readonly default: T;
  readonly doc: string;
  /** The environment variable (and env-file line) that sets the key. */
  readonly env?: string;
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

/**
 * The legacy AutoCache nodes computed `_GB` and `_MB` with powers of 1024,
 * so those variables keep binary units.
 */
export const GIB = 2 ** 30;
export const MIB = 2 ** 20;

function key<T>(definition: KeyDefinition<T>): KeyDefinition<T> {
  return definition;
}

/** A group by name or number; empty means none. */
const groupFormat: ValueFormat<string> = {
  name: 'arena-group',
  expected: 'a group name such as arena, a numeric gid, or "" for none',
  parse(raw) {
    if (typeof raw !== 'string' && typeof raw !== 'number') throw new InvalidValue();
    const text = String(raw).trim();
    if (text !== '' && !/^(?:[A-Za-z_][\w.-]*\$?|\d+)$/.test(text)) throw new InvalidValue();
    return text;
  },
};

/** systemd passes several directories joined by `:` when a unit lists several. */
function firstOf(list: string | undefined): string | undefined {
  const first = list?.split(':')[0];
  return first ? first : undefined;
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

export function buildSchema(platform: Platform) {
  const { env, home } = platform;
  const defaultComfy = path.join(home, 'ComfyUI');
  return {
    comfy: {
      root: key({
        format: pathFormat,
        default: platform.exists(defaultComfy) ? defaultComfy : '',
        env: 'ARENA_COMFY_ROOT',
        doc: 'The ComfyUI install: its extra_model_paths.yaml, models/, user/*/workflows/ and output/. Default ~/ComfyUI when it exists.',
      }),
      url: key({
        format: urlFormat,
        default: 'http://127.0.0.1:8188',
        env: 'ARENA_COMFY_URL',
        doc: 'ComfyUI server, for watching its queue. Optional: the daemon works without it.',
      }),
    },
    library: {
      roots: key({
        format: pathListFormat,
        default: [] as string[],
        env: 'ARENA_LIBRARY_ROOTS',
        doc: 'More model roots, each laid out as <category>/<name>, on top of extra_model_paths.yaml and <comfy.root>/models.',
      }),
      poll: key({
        format: enumFormat('arena-poll-mode', ['auto', 'always', 'never'] as const),
        default: 'auto' as 'auto' | 'always' | 'never',
        env: 'ARENA_LIBRARY_POLL',
        doc: 'auto polls roots on network or FUSE filesystems and watches the rest; always polls every root; never watches every root.',
      }),
      pollInterval: key({
        format: durationFormat,
        default: 60,
        env: 'ARENA_LIBRARY_POLL_S',
        doc: 'Seconds between polls of a polled root.',
      }),
      rescanInterval: key({
        format: durationFormat,
        default: 900,
        env: 'ARENA_LIBRARY_RESCAN_S',
        doc: 'Seconds between full rescans of every root, the truth behind watch events.',
      }),
    },
    cache: {
      enable: key({
        format: booleanFormat,
        default: true,
        env: 'ARENA_CACHE_ENABLE',
        doc: 'Off: the daemon watches and reports but copies nothing.',
      }),
      root: key({
        format: pathFormat,
        default: firstOf(env.CACHE_DIRECTORY) ?? path.join(env.XDG_CACHE_HOME || path.join(home, '.cache'), 'arena'),
        env: 'ARENA_CACHE_ROOT',
        doc: 'The SSD cache, laid out as <category>/<name>.',
        needsRestart: true,
      }),
      maxBytes: key({
        format: byteSizeFormat,
        default: 0,
        env: 'ARENA_CACHE_MAX_GB',
        envUnit: GIB,
        doc: 'High-water mark of the cache quota in bytes (500GB, 1.5TiB); 0 means no size quota.',
      }),
      lowWater: key({
        format: shareFormat,
        default: 0.9,
        env: 'ARENA_CACHE_LOW_WATER',
        doc: 'A trim brings the cache down to this share of cache.maxBytes (the low-water mark), so it does not trim again after every copy.',
      }),
      minFreeBytes: key({
        format: sizeOrPercentFormat,
        default: '5%' as SizeOrPercent,
        env: 'ARENA_CACHE_MIN_FREE_GB',
        envUnit: GIB,
        doc: 'Keep at least this much free on the cache filesystem: a size, or a share such as 5%.',
      }),
      minFileBytes: key({
        format: byteSizeFormat,
        default: 0,
        env: 'ARENA_CACHE_MIN_SIZE_MB',
        envUnit: MIB,
        doc: 'Models smaller than this stay on the NAS.',
      }),
      categories: key({
        format: categoryListFormat,
        default: [] as string[],
        env: 'ARENA_CACHE_CATEGORIES',
        doc: 'The categories that are cached; empty or "all" means every category.',
      }),
      trimSchedule: key({
        format: cronFormat,
        default: '0 4 * * *',
        env: 'ARENA_CACHE_TRIM_CRON',
        doc: 'Cron expression for the scheduled trim.',
      }),
    },
    prefetch: {
      concurrency: key({
        format: integerFormat(1, 16),
        default: 2,
        env: 'ARENA_PREFETCH_CONCURRENCY',
        doc: 'How many copies run at once.',
      }),
      verify: key({
        format: enumFormat('arena-verify-mode', ['size', 'sha256'] as const),
        default: 'sha256' as 'size' | 'sha256',
        env: 'ARENA_PREFETCH_VERIFY',
        doc: 'How a finished copy is checked before it becomes visible: size, or sha256.',
      }),
    },
    control: {
      socket: key({
        format: pathFormat,
        default: defaultSocketPath(env, platform.uid, platform.exists),
        env: 'ARENA_SOCKET',
        doc: 'The control socket that arenactl and the ComfyUI nodes talk to.',
        needsRestart: true,
      }),
      socketGroup: key({
        format: groupFormat,
        default: '',
        env: 'ARENA_SOCKET_GROUP',
        doc: 'A group whose members may use the socket (a system install sets arena): the socket becomes 0660 and its folder 0750. Empty keeps both private to the daemon user.',
        needsRestart: true,
      }),
    },
    metrics: {
      listen: key({
        format: listenFormat,
        default: '127.0.0.1:9777',
        env: 'ARENA_METRICS_LISTEN',
        doc: 'Prometheus /metrics over HTTP on HOST:PORT; off disables it.',
        needsRestart: true,
      }),
    },
    updates: {
      manifest: key({
        format: pathFormat,
        default: '',
        env: 'ARENA_UPDATES_MANIFEST',
        doc: 'YAML list of tracked models; none by default.',
      }),
      windows: key({
        format: updateWindowsFormat,
        default: '',
        env: 'ARENA_UPDATE_WINDOWS',
        doc: 'When updates may download, e.g. "Sat 02:00-05:00"; several comma-separated; a cron expression plus a duration also works.',
      }),
      hfEndpoint: key({
        format: urlFormat,
        default: 'https://huggingface.co',
        env: 'ARENA_HF_ENDPOINT',
        doc: 'Hugging Face endpoint.',
      }),
      civitaiEndpoint: key({
        format: urlFormat,
        default: 'https://civitai.com',
        env: 'ARENA_CIVITAI_ENDPOINT',
        doc: 'CivitAI endpoint.',
      }),
      stallTimeout: key({
        format: durationFormat,
        default: 60,
        env: 'ARENA_UPDATE_STALL_TIMEOUT',
        doc: 'A download that gets no byte for this long, or averages less than updates.minRate over it, is broken off and resumed; after 4 such tries its model fails with E_DOWNLOAD_SLOW and the other models go on.',
      }),
      minRate: key({
        format: byteRateFormat,
        default: 100_000,
        env: 'ARENA_UPDATE_MIN_RATE',
        doc: 'The least a download must average over each updates.stallTimeout, such as 100kB/s; 0 (off) watches for stalls only.',
      }),
    },
    log: {
      level: key({
        format: logLevelFormat,
        default: 'info' as LogLevel,
        env: 'ARENA_LOG_LEVEL',
        doc: 'error, warn, info or debug.',
      }),
      file: key({
        format: pathOrOffFormat,
        default: '',
        env: 'ARENA_LOG_FILE',
        doc: 'The log file, rotated at 10 MiB. Empty: <state.dir>/arenad.log (~/Library/Logs/arena/arenad.log on macOS) unless the log goes to the journal; off: no file.',
        needsRestart: true,
      }),
    },
    state: {
      dir: key({
        format: pathFormat,
        default:
          firstOf(env.STATE_DIRECTORY) ?? path.join(env.XDG_STATE_HOME || path.join(home, '.local', 'state'), 'arena'),
        env: 'ARENA_STATE_DIR',
        doc: 'Where the ledger, the usage history and the update history live.',
        needsRestart: true,
      }),
    },
  };
}

export type Schema = ReturnType<typeof buildSchema>;

type ValueOf<D> = D extends KeyDefinition<infer T> ? T : never;

export type ArenaConfig = {
  readonly [S in keyof Schema]: { readonly [K in keyof Schema[S]]: ValueOf<Schema[S][K]> };
};

export type ConfigKey = { [S in keyof Schema]: `${S & string}.${keyof Schema[S] & string}` }[keyof Schema];

/** Every key of the schema with its definition, in schema order. */
export function schemaEntries(schema: Schema): Array<[ConfigKey, KeyDefinition<unknown>]> {
  const entries: Array<[ConfigKey, KeyDefinition<unknown>]> = [];
  for (const [section, keys] of Object.entries(schema)) {
    for (const [name, definition] of Object.entries(keys)) {
      entries.push([`${section}.${name}` as ConfigKey, definition as KeyDefinition<unknown>]);
    }
  }
  return entries;
}

/** Reads one key of a config by its dotted name. */
export function configValue(config: ArenaConfig, configKey: ConfigKey): unknown {
  const [section, name] = configKey.split('.') as [keyof ArenaConfig, string];
  return (config[section] as Record<string, unknown>)[name];
}
