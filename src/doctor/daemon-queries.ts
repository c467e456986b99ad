import type { ConfigReport, StatusResult } from '../control/contract/daemon.js';

/**
 * What doctor asks the running daemon. The caller (arenactl) supplies the
 * connection, so that doctor needs nothing of the CLI; each rejects with
 * DaemonUnreachableError when nothing answers.
 */
export interface DaemonQueries {
  readonly socketPath: string;
  status(): Promise<StatusResult>;
  configShow(): Promise<ConfigReport>;
}
