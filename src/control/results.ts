/**
 * The shapes of command results on the wire (CONTRACT "JSON shapes"). They are
 * plain data: the daemon's services produce values that fit them, and
 * arenactl renders them, so neither side imports the other.
 */

export type DaemonState = 'starting' | 'ready' | 'degraded';

export interface LibraryFolderStatus {
  readonly category: string;
  readonly dir: string;
  readonly origin: string;
  readonly state: 'ok' | 'missing';
  readonly mode: 'watch' | 'poll';
  readonly fsType: string;
  readonly models: number;
  readonly bytes: number;
}

/** A root (`<comfy>/models`, `library.roots`) or a folder `extra_model_paths.yaml` names on its own. */
export interface LibraryRootStatus {
  /** Where the configuration names it: `models`, `library.roots[0]`, `extra_model_paths.yaml#section:category`. */
  readonly name: string;
  readonly dir: string;
  readonly state: 'ok' | 'missing';
}

export interface LibraryStatus {
  readonly folders: readonly LibraryFolderStatus[];
  readonly roots: readonly LibraryRootStatus[];
  readonly models: number;
  readonly bytes: number;
  readonly unavailableModels: number;
}

export interface StatusResult {
  readonly version: string;
  readonly pid: number;
  readonly uptimeSeconds: number;
  readonly state: DaemonState;
  readonly problems: readonly string[];
  /** The one line that systemd shows as STATUS=. */
  readonly summary: string;
  /** The summary without its problems part: what the daemon is doing (the problems are listed above). */
  readonly activity: string;
  readonly config: { readonly file: string | null; readonly envFile: string | null };
  readonly comfy: {
    readonly root: string | null;
    readonly url: string;
    /** null until the queue has been polled once. */
    readonly reachable: boolean | null;
    /** "ComfyUI not reachable at ... (connection refused)" while it is not. */
    readonly error?: string;
  };
  readonly library: LibraryStatus;
  /** Models asked for before their file was in the library (missing, or still being written), oldest first. */
  readonly wanted: readonly WantedModelStatus[];
  readonly cache: Record<string, unknown>;
  readonly prefetch: Record<string, unknown>;
  readonly updates: Record<string, unknown>;
  /** Where the daemon's log goes, for `arenactl logs`; absent from daemons older than this field. */
  readonly log?: { readonly journal: boolean; readonly file: string | null };
}

export interface WantedModelStatus {
  /** null when the workflow does not say it (a custom loader); the catalog decides once the file lands. */
  readonly category: string | null;
  readonly name: string;
  /** ms since epoch when it was first wanted. */
  readonly since: number;
  readonly reason: 'missing' | 'settling';
  /** Who wants it: `workflow user/default/workflows/x.json saved`, `prompt <id> queued`, `arenactl prefetch`. */
  readonly origin: string;
  readonly priority: string;
  /** Pinned once it is cached. */
  readonly pin: boolean;
}

export interface ConfigReport {
  /** `daemon` when a running daemon answered; `local` when arenactl computed it itself. */
  readonly origin: 'daemon' | 'local';
  readonly configFile: string | null;
  readonly envFile: string | null;
  readonly config: Record<string, Record<string, unknown>>;
  /** For each dotted key, where its value came from ("default", "/etc/arena/config.yaml:4", ...). */
  readonly sources: Record<string, string>;
  readonly warnings: readonly string[];
  /**
   * The rest of what the configuration was read from, so that doctor can
   * check the very sources a running daemon loaded: its `ARENA_*` variables
   * that set or steered a value, its flags, and its working folder. Absent
   * from a daemon older than this arenactl.
   */
  readonly environment?: Readonly<Record<string, string>>;
  readonly flags?: ReadonlyArray<{ readonly key: string; readonly value: string }>;
  readonly cwd?: string;
}

/** A workflow reference as `predict` reports it: `path` only when it resolved. */
export interface PredictRef {
  readonly category: string | null;
  readonly name: string;
  readonly nodeId: string;
  readonly nodeType: string;
  readonly input?: string;
  readonly via: string;
  readonly path?: string;
  readonly key?: string;
  readonly bytes?: number;
}

export interface PredictUnresolved extends PredictRef {
  readonly reason: string;
  readonly message: string;
  readonly candidates?: readonly string[];
}

export interface ResolutionResult {
  readonly refs: readonly PredictRef[];
  readonly inactive: readonly PredictRef[];
  readonly unresolved: readonly PredictUnresolved[];
}

export interface PrefetchOutcomeResult {
  readonly category: string;
  readonly name: string;
  readonly key?: string;
  /** `wanted`: not in the library yet (reason `missing`) or still being written (`settling`); copied once it lands. */
  readonly status: 'queued' | 'copying' | 'cached' | 'skipped' | 'wanted';
  readonly bytes?: number;
  readonly reason?: string;
  readonly message?: string;
}

export interface LsEntry {
  readonly category: string;
  readonly name: string;
  readonly key: string;
  readonly bytes: number | null;
  readonly state: 'cached' | 'copying' | 'queued';
  readonly pinned: boolean;
  readonly lastUsed: number | null;
  readonly hits: number;
  readonly bytesCopied?: number;
  readonly waiting?: string;
  readonly priority?: string;
  readonly origin?: string;
  /** Value per byte of SSD; null for a pinned entry (worth any other). Cached entries only. */
  readonly value?: number | null;
  /** Why it is kept ("pinned", "used 14× this week, 30× in all"), or why it is queued. */
  readonly reason?: string;
}

export interface StatsResult {
  readonly hits: number;
  readonly misses: number;
  readonly hitRatio: number;
  readonly cache: { readonly bytes: number; readonly files: number; readonly maxBytes: number; readonly freeBytes: number };
  readonly prefetch: {
    readonly queued: number;
    readonly active: number;
    readonly completed: number;
    readonly failed: number;
    readonly bytesCopied: number;
  };
  readonly evictions: number;
}

export interface TrimResultBody {
  readonly evicted: ReadonlyArray<{ readonly category: string; readonly name: string; readonly bytes: number; readonly reason: string }>;
  readonly freedBytes: number;
  readonly targetBytes: number;
  readonly dryRun: boolean;
}

export interface HistoryFileResult {
  /** The daemon's usage history (`<state.dir>/usage.ndjson`), flushed. */
  readonly file: string;
}
