/** Doctor: whether the daemon answers on its socket, and how its service manager sees it. */
import { formatDuration } from '../core/duration.js';
import { messageOf } from '../core/arena-error.js';
import { DaemonUnreachableError } from '../control/control-client.js';
import type { StatusResult } from '../control/contract/daemon.js';
import type { ServiceStatus } from '../service/service-status.js';
import { fail, pass, warn, type CheckResult } from './check.js';
import type { DaemonQueries } from './daemon-queries.js';

export async function checkDaemon(daemon: Pick<DaemonQueries, 'socketPath' | 'status'>): Promise<CheckResult> {
  const { socketPath } = daemon;
  let status: StatusResult;
  try {
    status = await daemon.status();
  } catch (error) {
    if (error instanceof DaemonUnreachableError) {
      return fail(
        'daemon',
        error.message,
        'start it: systemctl start arenad (system service), systemctl --user start arenad (user service), or arenad in a terminal; arenactl service install sets it up as a service',
      );
    }
    return fail('daemon', `the daemon on ${socketPath} did not answer status: ${messageOf(error)}`, 'read its log (arenactl logs) and restart it');
  }
  const who = `arenad ${status.version}, pid ${status.pid}, up ${formatDuration(status.uptimeSeconds)}, on ${socketPath}`;
  if (status.state === 'ready') return pass('daemon', `${who}: ready`);
  if (status.state === 'starting')
    return warn(
      'daemon',
      `${who}: still starting (${status.summary})`,
      'wait until the first scan of the library is done; arenactl status shows progress',
    );
  return warn('daemon', `${who}: degraded: ${status.problems.join('; ')}`, 'each problem above says what to fix; arenactl status lists them too');
}

function startCommand(status: ServiceStatus): string {
  if (status.mode === 'launchd') return `launchctl kickstart gui/$UID/${status.unit}`;
  return status.mode === 'user' ? 'systemctl --user start arenad' : 'sudo systemctl start arenad';
}

function logCommand(status: ServiceStatus): string {
  if (status.mode === 'launchd') return 'arenactl logs';
  return status.mode === 'user' ? 'journalctl --user-unit arenad' : 'journalctl -u arenad';
}

export function checkService(status: ServiceStatus): CheckResult {
  if (status.error) {
    return warn(
      'service',
      `the service manager could not be asked: ${status.error}`,
      'on a machine without systemd or launchd, run arenad yourself (for example from your session start-up)',
    );
  }
  if (!status.installed) {
    return warn(
      'service',
      `not installed as a service (${status.definitionFile} does not exist)`,
      'arenactl service install (add --system as root for a system-wide service)',
    );
  }
  const state = `${status.unit} ${status.active ?? 'unknown'}${status.subState ? ` (${status.subState})` : ''}`;
  if (status.active !== 'active' && status.active !== 'running' && status.active !== 'reloading') {
    return fail(
      'service',
      `${state}, installed at ${status.definitionFile}`,
      `start it with ${startCommand(status)}; ${logCommand(status)} says why it stopped`,
    );
  }
  if (status.linger === false) {
    return warn('service', `${state}, but lingering is off, so it stops when you log out`, 'sudo loginctl enable-linger $USER');
  }
  return pass('service', `${state}${status.mainPid === null ? '' : `, pid ${status.mainPid}`}${status.statusText ? `: ${status.statusText}` : ''}`);
}
