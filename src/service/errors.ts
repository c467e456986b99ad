/** The errors of the service module, each with its code and a message that says what to do. */
import { ArenaError } from '../core/arena-error.js';

/** There is no log to show where `arenactl logs` looked; the message says where that was and why. */
export class LogUnavailableError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_NO_LOG', message, options);
    this.name = 'LogUnavailableError';
  }
}

/** A service-manager command (systemctl, launchctl, useradd, ...) failed; the message quotes it and its output. */
export class ServiceCommandError extends ArenaError {
  readonly command: readonly string[];
  readonly exitCode: number | undefined;

  constructor(command: readonly string[], exitCode: number | undefined, output: string, options?: { cause?: unknown }) {
    const detail = output.trim().split('\n').slice(-3).join(' ⏎ ');
    super(
      'E_SERVICE_COMMAND',
      `\`${command.join(' ')}\` failed${exitCode === undefined ? '' : ` with exit code ${exitCode}`}${detail ? `: ${detail}` : ''}`,
      options,
    );
    this.name = 'ServiceCommandError';
    this.command = command;
    this.exitCode = exitCode;
  }
}

/** A service cannot be installed or managed here as asked (not root, no build, wrong platform, ...); the message says what to do. */
export class ServiceSetupError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_SERVICE', message, options);
    this.name = 'ServiceSetupError';
  }
}

/** control.socketGroup cannot be applied: no such group, or the daemon's user is not in it. */
export class SocketGroupError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_SOCKET_GROUP', message, options);
    this.name = 'SocketGroupError';
  }
}
