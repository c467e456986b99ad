/**
 * Facts about the old in-process ComfyUI_Arena AutoCache nodes: the variables
 * they read, across their versions, and why the ones that steered their
 * patching have no counterpart in the daemon. How each variable maps onto a
 * key is not repeated here: that is config/environment.ts, which migrate
 * runs as the daemon does.
 */

/** Every variable some version of the old nodes read, from the environment or `user/arena_autocache.env`. */
export const OLD_NODE_VARIABLES: ReadonlySet<string> = new Set([
  'ARENA_CACHE_ROOT',
  'ARENA_CACHE_MAX_GB',
  'ARENA_CACHE_MIN_SIZE_MB',
  'ARENA_CACHE_MIN_SIZE_GB',
  'ARENA_CACHE_ENABLE',
  'ARENA_AUTO_CACHE_ENABLED',
  'ARENA_CACHE_CATEGORIES',
  'ARENA_CACHE_CATEGORIES_MODE',
  'ARENA_NAS_ROOT',
  'ARENA_CACHE_MAX_CONCURRENCY',
  'ARENA_CACHE_VERBOSE',
  'ARENA_CACHE_MODE',
  'ARENA_CACHE_DISCOVERY',
  'ARENA_CACHE_PREFETCH_STRATEGY',
  'ARENA_AUTOCACHE_AUTOPATCH',
  'ARENA_AUTOCACHE_AUTOPATCH_TIMEOUT_S',
  'ARENA_AUTOCACHE_AUTOPATCH_POLL_MS',
]);

/** Variables whose value is a folder: a Windows path there cannot be used on this system. */
export const OLD_PATH_VARIABLES: ReadonlySet<string> = new Set(['ARENA_NAS_ROOT']);

/** Why each variable that steered the old nodes' patching is dropped. */
const DROPPED_REASONS: Readonly<Record<string, string>> = {
  ARENA_AUTO_CACHE_ENABLED:
    "it is the old nodes' own switch: set ARENA_AUTO_CACHE_ENABLED=0 in ComfyUI's environment to stop their patching; arenad's switch is cache.enable (ARENA_CACHE_ENABLE)",
  ARENA_AUTOCACHE_AUTOPATCH:
    "it switched the patching of ComfyUI's model loading; arenad patches nothing: `arenactl comfy link` registers the cache in extra_model_paths.yaml",
  ARENA_AUTOCACHE_AUTOPATCH_TIMEOUT_S: "it timed the old nodes' patching of ComfyUI, which arenad does not do",
  ARENA_AUTOCACHE_AUTOPATCH_POLL_MS: "it timed the old nodes' patching of ComfyUI, which arenad does not do",
  ARENA_CACHE_MODE: 'it chose when the old nodes copied (on demand, at load); arenad copies ahead of time, from saved workflows and queued prompts',
  ARENA_CACHE_DISCOVERY: 'it chose how the old nodes found models; arenad reads the library from extra_model_paths.yaml, models/ and library.roots',
  ARENA_CACHE_PREFETCH_STRATEGY:
    "it chose the old nodes' prefetch order; arenad orders copies by need (a queued prompt first, then a saved workflow)",
};

export function droppedReason(variable: string): string {
  return DROPPED_REASONS[variable] ?? 'it steered the old nodes inside ComfyUI and has no meaning for arenad';
}

/** `D:\models`, `D:/models` or `\\nas\share`: written on Windows, meaningless here. */
export function isWindowsPath(value: string): boolean {
  const text = value.trim();
  return /^[A-Za-z]:[\\/]/.test(text) || text.startsWith('\\\\');
}
