/** What each `arenactl doctor` check reports. */

export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface CheckResult {
  /** Stable, for scripts: `daemon`, `config`, `comfy-paths`, `root`, `inotify`, `cache-space`, `permissions`, `updates`. */
  readonly id: string;
  readonly status: CheckStatus;
  /** What was found, in one line. */
  readonly message: string;
  /** How to fix it; set whenever the status is not pass. */
  readonly fix?: string;
}

export function pass(id: string, message: string): CheckResult {
  return { id, status: 'pass', message };
}

export function warn(id: string, message: string, fix: string): CheckResult {
  return { id, status: 'warn', message, fix };
}

export function fail(id: string, message: string, fix: string): CheckResult {
  return { id, status: 'fail', message, fix };
}
