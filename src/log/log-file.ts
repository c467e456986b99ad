/**
 * The daemon's log file: one active file under a fixed name (so `tail -F`
 * and `arenactl logs -f` follow it), rotated by size into `<name>.1` ...
 * `<name>.5`, the oldest dropped. rotating-file-stream does the rotation.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createStream, type RotatingFileStream } from 'rotating-file-stream';

/** Past this size the file is rotated. */
export const LOG_ROTATE_BYTES = 10 * 1024 * 1024;
/** Rotated files kept beside the active one. */
export const LOG_ROTATED_KEPT = 5;

/**
 * The log file is private to the daemon's user by default: it names model
 * paths and hosts. A system install passes 0o640, so that its socket group
 * (who may run arenactl logs) reads it too (daemon/private-modes.ts).
 */
export const LOG_FILE_MODE = 0o600;

export interface LogFileOptions {
  readonly file: string;
  readonly mode?: number;
  /** Rotation size in bytes; the default suits a daemon, tests pass a small one. */
  readonly rotateBytes?: number;
}

/** Opens (creating its folder, private) the rotating stream; errors arrive as the stream's `error` event. */
export function openLogFile(options: LogFileOptions): RotatingFileStream {
  const dir = path.dirname(options.file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  // A name (not a function) with `rotate` is logrotate's scheme: the active file keeps its name, older ones get .1, .2, ...
  return createStream(path.basename(options.file), {
    path: dir,
    size: `${options.rotateBytes ?? LOG_ROTATE_BYTES}B`,
    rotate: LOG_ROTATED_KEPT,
    mode: options.mode ?? LOG_FILE_MODE,
  });
}
