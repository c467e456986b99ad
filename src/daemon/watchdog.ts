/**
 * systemd's watchdog (`WatchdogSec=`): the daemon must say `WATCHDOG=1` more
 * often than `$WATCHDOG_USEC`, or systemd kills and restarts it. The pings
 * come from the event loop itself, so a loop that is blocked sends none; and
 * a probe timer that measures its own lateness holds them back while the loop
 * runs but only in fits, far behind its timers.
 */
import type { Logger } from '../log/logger.js';

/**
 * The watchdog timeout systemd set for this process, in milliseconds, or
 * undefined when there is none. `$WATCHDOG_PID`, when set, must name us:
 * a child that inherited the variables is not the one being watched.
 */
export function watchdogTimeoutMs(env: NodeJS.ProcessEnv, pid: number): number | undefined {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isInteger(usec) || usec <= 0) return undefined;
  if (env.WATCHDOG_PID !== undefined && Number(env.WATCHDOG_PID) !== pid) return undefined;
  return Math.max(1, Math.floor(usec / 1000));
}

export interface LoopWatchdogOptions {
  /** `$WATCHDOG_USEC` in milliseconds. */
  readonly timeoutMs: number;
  readonly ping: () => void;
  readonly logger: Logger;
}

export class LoopWatchdog {
  readonly #options: LoopWatchdogOptions;
  /** How often the loop is probed: often enough to ping at half the timeout even after a late probe. */
  readonly #probeMs: number;
  /** Pings go out at half the timeout, as sd_watchdog_enabled(3) advises. */
  readonly #pingEveryMs: number;
  /** A probe this late means the loop is too busy to count as healthy. */
  readonly #toleranceMs: number;
  #timer: NodeJS.Timeout | undefined;
  #expectedAt = 0;
  #lastPingAt = Number.NEGATIVE_INFINITY;
  #stalled = false;

  constructor(options: LoopWatchdogOptions) {
    this.#options = options;
    this.#pingEveryMs = options.timeoutMs / 2;
    this.#probeMs = Math.min(1000, Math.max(10, Math.floor(options.timeoutMs / 8)));
    this.#toleranceMs = Math.max(this.#probeMs, Math.floor(options.timeoutMs / 4));
  }

  start(): void {
    if (this.#timer) return;
    this.#schedule(0);
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(delayMs: number): void {
    this.#expectedAt = Date.now() + delayMs;
    this.#timer = setTimeout(() => this.#probe(), delayMs);
    // The watchdog alone must not keep a stopping daemon alive.
    this.#timer.unref();
  }

  #probe(): void {
    const now = Date.now();
    const lateMs = now - this.#expectedAt;
    if (lateMs > this.#toleranceMs) {
      if (!this.#stalled) {
        this.#options.logger.warn('the event loop was blocked; holding back the watchdog ping until it runs freely again', { lateMs });
      }
      this.#stalled = true;
    } else {
      if (this.#stalled) this.#options.logger.info('the event loop runs freely again; watchdog pings resume');
      this.#stalled = false;
      if (now - this.#lastPingAt >= this.#pingEveryMs) {
        this.#lastPingAt = now;
        this.#options.ping();
      }
    }
    this.#schedule(this.#probeMs);
  }
}
