/**
 * Every error code the product gives, in one place. A code is the stable
 * part of an error: it crosses the socket as `{"error": {"code", "message"}}`,
 * `arenactl --json` prints it, scripts and the ComfyUI nodes compare it; the
 * message beside it is for people and may change. docs/protocol.md ("Error
 * codes") says what each one means and when it comes, and a test keeps that
 * table and this list the same.
 */
export const ERROR_CODES = {
  // The socket protocol: a request the daemon cannot take.
  parse: 'E_PARSE',
  tooLarge: 'E_TOO_LARGE',
  request: 'E_REQUEST',
  unknownCommand: 'E_UNKNOWN_COMMAND',
  args: 'E_ARGS',
  protocol: 'E_PROTOCOL',
  busy: 'E_BUSY',
  shuttingDown: 'E_SHUTTING_DOWN',
  starting: 'E_STARTING',
  internal: 'E_INTERNAL',
  // What a request names.
  path: 'E_PATH',
  notFound: 'E_NOT_FOUND',
  // arenactl and the client side of the socket.
  usage: 'E_USAGE',
  unreachable: 'E_UNREACHABLE',
  permission: 'E_PERMISSION',
  closed: 'E_CLOSED',
  unknown: 'E_UNKNOWN',
  // Starting the daemon.
  config: 'E_CONFIG',
  socket: 'E_SOCKET',
  socketGroup: 'E_SOCKET_GROUP',
  alreadyRunning: 'E_ALREADY_RUNNING',
  locked: 'E_LOCKED',
  folder: 'E_FOLDER',
  cacheRoot: 'E_CACHE_ROOT',
  // The SSD cache and its copies.
  pinned: 'E_PINNED',
  notAdmitted: 'E_NOT_ADMITTED',
  noSpace: 'E_NO_SPACE',
  sourceChanged: 'E_SOURCE_CHANGED',
  sourceMissing: 'E_SOURCE_MISSING',
  sourceRead: 'E_SOURCE_READ',
  verify: 'E_VERIFY',
  aborted: 'E_ABORTED',
  cacheIo: 'E_CACHE_IO',
  // Workflows, history and simulation.
  workflow: 'E_WORKFLOW',
  usageHistory: 'E_USAGE_HISTORY',
  comfyUrl: 'E_COMFY_URL',
  trace: 'E_TRACE',
  simulateOptions: 'E_SIMULATE_OPTIONS',
  // The model updater.
  noManifest: 'E_NO_MANIFEST',
  manifest: 'E_MANIFEST',
  target: 'E_TARGET',
  noVersion: 'E_NO_VERSION',
  paused: 'E_PAUSED',
  download: 'E_DOWNLOAD',
  downloadSlow: 'E_DOWNLOAD_SLOW',
  hubAuth: 'E_HUB_AUTH',
  hubGated: 'E_HUB_GATED',
  hubNotFound: 'E_HUB_NOT_FOUND',
  hubResponse: 'E_HUB_RESPONSE',
  hubUnreachable: 'E_HUB_UNREACHABLE',
  rateLimited: 'E_RATE_LIMITED',
  updateIo: 'E_UPDATE_IO',
  // ComfyUI's files: link, install-nodes, migrate.
  comfyRoot: 'E_COMFY_ROOT',
  modelPaths: 'E_MODEL_PATHS',
  nodesInstall: 'E_NODES_INSTALL',
  configWrite: 'E_CONFIG_WRITE',
  daemonRunning: 'E_DAEMON_RUNNING',
  migrateIo: 'E_MIGRATE_IO',
  // The service and its log.
  service: 'E_SERVICE',
  serviceCommand: 'E_SERVICE_COMMAND',
  noLog: 'E_NO_LOG',
  // npm run demo.
  demo: 'E_DEMO',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

const KNOWN_CODES: ReadonlySet<string> = new Set(Object.values(ERROR_CODES));

/** Whether a code read from the outside (a daemon's reply) is one this version knows. */
export function isErrorCode(code: string): code is ErrorCode {
  return KNOWN_CODES.has(code);
}
