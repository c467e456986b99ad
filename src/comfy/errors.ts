/** The errors of the comfy module, each with its code and a message that says what to do. */
import { ArenaError } from '../core/arena-error.js';

/** No ComfyUI install to work on: none configured, or the folder is not one. */
export class ComfyRootError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_COMFY_ROOT', message, options);
    this.name = 'ComfyRootError';
  }
}

/** The config file that migrate would update cannot be edited safely. */
export class ConfigWriteError extends ArenaError {
  readonly file: string;

  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super('E_CONFIG_WRITE', `cannot update the config file ${file}: ${problem}`, options);
    this.name = 'ConfigWriteError';
    this.file = file;
  }
}

/** migrate moves cache files and writes the ledger, which a running daemon owns. */
export class DaemonRunningError extends ArenaError {
  readonly socketPath: string;

  constructor(socketPath: string) {
    super(
      'E_DAEMON_RUNNING',
      `arenad is running (it answers on ${socketPath}); migrate moves cache files and writes the ledger that arenad owns, ` +
        'so stop it first (systemctl --user stop arenad, or Ctrl-C where `npm start` runs), run migrate, then start it again. ' +
        '`arenactl migrate --dry-run` works while it runs.',
    );
    this.name = 'DaemonRunningError';
    this.socketPath = socketPath;
  }
}

/** A file operation of the migration failed; what was done before it stays done and is reported. */
export class MigrationIoError extends ArenaError {
  readonly path: string;

  constructor(path: string, operation: string, options: { cause: unknown }) {
    const code = (options.cause as { code?: unknown } | null)?.code;
    super(
      'E_MIGRATE_IO',
      `migrate could not ${operation} ${path}${typeof code === 'string' ? ` (${code})` : ''}; fix the cause (permissions, disk space) and run arenactl migrate again: it picks up where it stopped`,
      options,
    );
    this.name = 'MigrationIoError';
    this.path = path;
  }
}

/** `extra_model_paths.yaml` cannot be edited safely: not valid YAML, or not a mapping of sections. */
export class ModelPathsFileError extends ArenaError {
  readonly file: string;

  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super('E_MODEL_PATHS', `${file} ${problem}; fix it by hand first (ComfyUI would not read it either), then run this again`, options);
    this.name = 'ModelPathsFileError';
    this.file = file;
  }
}

/** The Arena nodes cannot be installed into custom_nodes/. */
export class NodeInstallError extends ArenaError {
  readonly target: string;

  constructor(target: string, message: string, options?: { cause?: unknown }) {
    super('E_NODES_INSTALL', message, options);
    this.name = 'NodeInstallError';
    this.target = target;
  }
}
