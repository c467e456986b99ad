import { ArenaError } from '../../core/arena-error.js';

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
