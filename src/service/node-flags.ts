/**
 * The Node flags and environment the daemon runs with, wherever it is
 * started: the `arenad` command's first line, `npm start`, the systemd units
 * and the LaunchAgent (flags only: macOS's allocator has no arenas to limit).
 *
 * V8 lets the young generation grow to 3 × 16 MiB and keeps it once grown; a
 * daemon that reads a large library at start then idles with that memory
 * held. 4 MiB semi-spaces cut the idle RSS with 100,000 models by about
 * 50 MB, and parsing a 5 MB workflow stays as fast (npm run bench).
 */
export const DAEMON_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];

/**
 * glibc gives each thread that allocates (libuv's file-system pool, V8's
 * helpers, the native watcher) an arena of its own and keeps what was freed
 * there; two arenas saved about 5 MB of idle RSS with 100,000 models.
 */
export const DAEMON_ENVIRONMENT: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };
