/**
 * What systemd is told about the daemon's life: READY=1 once the socket
 * listens and start-up is done, STATUS= with the one-line summary whenever it
 * changes, RELOADING=1 around a SIGHUP reload, STOPPING=1 when a stop begins,
 * and watchdog pings. Outside systemd (`$NOTIFY_SOCKET` unset) every method
 * does nothing and no timer runs.
 */
import type { Logger } from '../log/logger.js';
import { NotifyChannel, systemdNotifySender, type NotifyMessage, type NotifySend } from './notify-channel.js';
import { LoopWatchdog, watchdogTimeoutMs } from './watchdog.js';

export interface ServiceNotificationsOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly pid: number;
  readonly logger: Logger;
  /** The daemon's one-line summary (Daemon.summary()). */
  readonly summary: () => string;
  /**
   * How often the summary is compared with the last one sent. It includes
   * copy progress, so it changes all the time during a copy; this bounds the
   * systemd-notify runs that costs.
   */
  readonly statusIntervalMs?: number;
  /** Replaces the systemd-notify binary, for tests. */
  readonly send?: NotifySend;
}

export const DEFAULT_STATUS_INTERVAL_MS = 5000;

export class ServiceNotifications {
  readonly #options: ServiceNotificationsOptions;
  readonly #channel: NotifyChannel | undefined;
  readonly #watchdog: LoopWatchdog | undefined;
  #statusTimer: NodeJS.Timeout | undefined;
  #lastStatus: string | undefined;
  #ready = false;
  #reloading = false;
  #stopping = false;

  constructor(options: ServiceNotificationsOptions) {
    this.#options = options;
    if (!options.env.NOTIFY_SOCKET) return;
    this.#channel = new NotifyChannel(options.send ?? systemdNotifySender(options.pid), options.logger);
    const timeoutMs = watchdogTimeoutMs(options.env, options.pid);
    if (timeoutMs !== undefined) {
      this.#watchdog = new LoopWatchdog({
        timeoutMs,
        logger: options.logger,
        ping: () => this.#post({ WATCHDOG: '1' }),
      });
    }
  }

  /** True under systemd with a notify socket. */
  get enabled(): boolean {
    return this.#channel !== undefined;
  }

  /** Starts the watchdog pings and the status updates; call as soon as the process runs. */
  start(): void {
    if (!this.#channel) return;
    const { logger, statusIntervalMs = DEFAULT_STATUS_INTERVAL_MS } = this.#options;
    logger.debug('telling systemd about readiness and status', {
      watchdog: this.#watchdog ? 'on' : 'off',
    });
    this.#watchdog?.start();
    this.#postStatus();
    this.#statusTimer = setInterval(() => this.#postStatus(), statusIntervalMs);
    this.#statusTimer.unref();
  }

  /** Start-up is complete: the socket listens and the services run. */
  ready(): Promise<void> {
    if (!this.#channel || this.#stopping) return Promise.resolve();
    this.#ready = true;
    this.#lastStatus = this.#options.summary();
    return this.#channel.post({ READY: '1', STATUS: this.#lastStatus });
  }

  /** A SIGHUP reload begins. Before start-up is complete there is nothing to tell: READY=1 is still to come. */
  reloading(): Promise<void> {
    if (!this.#channel || this.#stopping || !this.#ready) return Promise.resolve();
    this.#reloading = true;
    return this.#channel.post({ RELOADING: '1', STATUS: 'reloading the configuration' });
  }

  /** The reload is over, whether the new configuration was taken or not. */
  reloaded(): Promise<void> {
    if (!this.#reloading) return Promise.resolve();
    this.#reloading = false;
    return this.ready();
  }

  /** A stop has begun; status updates end, watchdog pings go on until the process exits. */
  stopping(): Promise<void> {
    if (!this.#channel || this.#stopping) return Promise.resolve();
    this.#stopping = true;
    clearInterval(this.#statusTimer);
    return this.#channel.post({ STOPPING: '1', STATUS: 'stopping' });
  }

  /** Ends every timer and waits for messages already queued. */
  async close(): Promise<void> {
    clearInterval(this.#statusTimer);
    this.#watchdog?.stop();
    await this.#channel?.idle();
  }

  /** Fire and forget: the channel logs what it could not send; this catches what is left. */
  #post(message: NotifyMessage): void {
    this.#channel!.post(message).catch((error: unknown) => this.#options.logger.warn('telling systemd failed', { err: error }));
  }

  /** Only a status that changed is sent. */
  #postStatus(): void {
    if (this.#stopping) return;
    const status = this.#options.summary();
    if (status === this.#lastStatus) return;
    this.#lastStatus = status;
    this.#post({ STATUS: status });
  }
}
