import { ArenaError } from '../../core/arena-error.js';

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
