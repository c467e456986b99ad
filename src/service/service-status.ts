/**
 * The state of the installed service as its manager sees it: `systemctl show`
 * for systemd, `launchctl print` for launchd. Used by `arenactl service
 * status` and by `doctor`.
 */
import fs from 'node:fs';
import { lingerEnabled, userName } from './linger.js';
import type { ServiceContext } from './service-context.js';
import { LAUNCHD_LABEL, UNIT_NAME, serviceDefinitionFile, type ServiceMode } from './service-layout.js';

export interface ServiceStatus {
  readonly mode: ServiceMode;
  readonly manager: 'systemd' | 'launchd';
  /** `arenad.service`, or the launchd label. */
  readonly unit: string;
  readonly definitionFile: string;
  readonly installed: boolean;
  /** systemd's UnitFileState (`enabled`, `disabled`, ...); null for launchd or when unknown. */
  readonly enabled: string | null;
  /** `active`, `activating`, `reloading`, `deactivating`, `inactive`, `failed`; launchd: `running` or `not running`. */
  readonly active: string | null;
  /** systemd's SubState (`running`, `auto-restart`, `dead`, ...). */
  readonly subState: string | null;
  readonly mainPid: number | null;
  /** The daemon's STATUS= line. */
  readonly statusText: string | null;
  readonly restarts: number | null;
  /** User services only: whether they keep running after logout. */
  readonly linger?: boolean | null;
  /** Set when the manager could not be asked (systemd not running, launchctl missing). */
  readonly error?: string;
}

const SHOWN_PROPERTIES = ['LoadState', 'ActiveState', 'SubState', 'MainPID', 'StatusText', 'UnitFileState', 'NRestarts'];

/** `Key=Value` lines of `systemctl show`. */
export function parseSystemctlShow(text: string): Map<string, string> {
  const properties = new Map<string, string>();
  for (const line of text.split('\n')) {
    const equals = line.indexOf('=');
    if (equals > 0) properties.set(line.slice(0, equals), line.slice(equals + 1));
  }
  return properties;
}

/** `key = value` lines of `launchctl print` (the top level of its nested output is enough). */
export function parseLaunchctlPrint(text: string): Map<string, string> {
  const properties = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^\t(\S[^=]*?) = (.*)$/.exec(line);
    if (match && !properties.has(match[1]!)) properties.set(match[1]!, match[2]!.trim());
  }
  return properties;
}

function orNull(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : value;
}

function positive(value: string | undefined): number | null {
  const number = Number(value);
  return Number.isInteger(number) && number > 0 ? number : null;
}

const UNKNOWN = { enabled: null, active: null, subState: null, mainPid: null, statusText: null, restarts: null } as const;

async function systemdStatus(mode: 'system' | 'user', context: ServiceContext): Promise<ServiceStatus> {
  const definitionFile = serviceDefinitionFile(mode, context.platform, context.system);
  const base = { mode, manager: 'systemd' as const, unit: UNIT_NAME, definitionFile };
  const linger = mode === 'user' ? { linger: (await lingerEnabled(context.runner, context.platform.uid, userName(context.platform))) ?? null } : {};
  const scope = mode === 'user' ? ['--user'] : [];
  const result = await context.runner.run('systemctl', [...scope, 'show', UNIT_NAME, `--property=${SHOWN_PROPERTIES.join(',')}`], { timeoutMs: 10_000 });
  if (result.exitCode !== 0) {
    const reason = (result.stderr || result.stdout).trim().split('\n')[0] || `exit code ${result.exitCode}`;
    return { ...base, installed: fs.existsSync(definitionFile), ...UNKNOWN, ...linger, error: `${['systemctl', ...scope, 'show'].join(' ')} failed: ${reason}` };
  }
  const shown = parseSystemctlShow(result.stdout);
  return {
    ...base,
    installed: shown.get('LoadState') === 'loaded',
    enabled: orNull(shown.get('UnitFileState')),
    active: orNull(shown.get('ActiveState')),
    subState: orNull(shown.get('SubState')),
    mainPid: positive(shown.get('MainPID')),
    statusText: orNull(shown.get('StatusText')),
    restarts: shown.has('NRestarts') ? Number(shown.get('NRestarts')) : null,
    ...linger,
  };
}

async function launchdStatus(context: ServiceContext): Promise<ServiceStatus> {
  const definitionFile = serviceDefinitionFile('launchd', context.platform, context.system);
  const base = { mode: 'launchd' as const, manager: 'launchd' as const, unit: LAUNCHD_LABEL, definitionFile, installed: fs.existsSync(definitionFile) };
  const result = await context.runner.run('launchctl', ['print', `gui/${context.platform.uid}/${LAUNCHD_LABEL}`], { timeoutMs: 10_000 });
  if (result.missing) return { ...base, ...UNKNOWN, error: 'launchctl is not available here' };
  // launchctl print fails when the agent is not loaded: installed or not, nothing runs.
  if (result.exitCode !== 0) return { ...base, ...UNKNOWN, active: 'not running' };
  const printed = parseLaunchctlPrint(result.stdout);
  const pid = positive(printed.get('pid'));
  return { ...base, ...UNKNOWN, active: pid === null ? 'not running' : 'running', subState: orNull(printed.get('state')), mainPid: pid };
}

export function serviceStatus(mode: ServiceMode, context: ServiceContext): Promise<ServiceStatus> {
  return mode === 'launchd' ? launchdStatus(context) : systemdStatus(mode, context);
}

/** One line for humans: `active (running), pid 123: <STATUS= text>`. */
export function describeServiceStatus(status: ServiceStatus): string {
  if (status.error) return `${status.unit}: ${status.error}`;
  if (!status.installed) return `${status.unit} is not installed (${status.definitionFile})`;
  const state = `${status.active ?? 'unknown'}${status.subState ? ` (${status.subState})` : ''}`;
  const pid = status.mainPid === null ? '' : `, pid ${status.mainPid}`;
  return `${status.unit} ${state}${pid}${status.enabled ? `, ${status.enabled}` : ''}${status.statusText ? `: ${status.statusText}` : ''}`;
}
