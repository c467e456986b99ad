/**
 * The Node flags the daemon runs with, wherever it is started: the `arenad`
 * command's first line, `npm start`, the systemd units and the LaunchAgent.
 *
 * V8 lets the young generation grow to 3 × 16 MiB and keeps it once grown; a
 * daemon that reads a large library at start then idles with that memory
 * held. 4 MiB semi-spaces cut the idle RSS with 100,000 models by about
 * 50 MB, and parsing a 5 MB workflow stays as fast (npm run bench).
 */
export const DAEMON_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
