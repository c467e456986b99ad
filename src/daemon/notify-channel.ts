/**
 * sd_notify messages to systemd. Node has no AF_UNIX datagram sockets, so each
 * message is one run of the `systemd-notify` binary (with NotifyAccess=all in
 * the unit, since the sender is then a child of the daemon). Runs are
 * serialised so that systemd sees state changes in the order they happened,
 * and a status or watchdog line waiting in the queue rides along with the
 * next message instead of costing a process of its own.
 */
import { execa } from 'execa';
import { messageOf } from '../core/arena-error.js';
import type { Logger } from '../log/logger.js';

/** The fields the daemon sends. READY, RELOADING and STOPPING change the unit's state. */
export type NotifyField = 'READY' | 'RELOADING' | 'STOPPING' | 'STATUS' | 'WATCHDOG';
export type NotifyMessage = Partial<Record<NotifyField, string>>;

const STATE_FIELDS: readonly NotifyField[] = ['READY', 'RELOADING', 'STOPPING'];

/** Delivers one message; rejects when it could not. */
export type NotifySend = (message: NotifyMessage) => Promise<void>;

/** systemctl shows STATUS= on one line; longer text only gets cut off there. */
const MAX_STATUS_CHARS = 400;

export function oneLineStatus(text: string): string {
  const line = text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  return line.length > MAX_STATUS_CHARS ? `${line.slice(0, MAX_STATUS_CHARS - 1)}…` : line;
}

/** The arguments of one `systemd-notify` run: `--pid=PID KEY=VALUE ...`. */
export function systemdNotifyArgs(message: NotifyMessage, pid: number): string[] {
  const args = [`--pid=${pid}`];
  for (const [field, value] of Object.entries(message)) {
    if (value !== undefined) args.push(`${field}=${field === 'STATUS' ? oneLineStatus(value) : value}`);
  }
  return args;
}

/**
 * Sends through the `systemd-notify` binary. `--pid` names the daemon: run as
 * root, systemd-notify then speaks with the daemon's credentials, so systemd
 * attributes the message to the unit even after the helper has exited; run
 * as another user it falls back to its own, and by default it waits until
 * systemd has read the message, which keeps the attribution right too.
 */
export function systemdNotifySender(pid: number, timeoutMs = 10_000): NotifySend {
  return async (message) => {
    await execa('systemd-notify', systemdNotifyArgs(message, pid), { timeout: timeoutMs, stdin: 'ignore' });
  };
}

function hasStateField(message: NotifyMessage): boolean {
  return STATE_FIELDS.some((field) => message[field] !== undefined);
}

interface Pending {
  readonly message: NotifyMessage;
  readonly done: Promise<void>;
  resolve(): void;
}

function pending(message: NotifyMessage): Pending {
  let resolve!: () => void;
  const done = new Promise<void>((settle) => (resolve = settle));
  return { message: { ...message }, done, resolve };
}

export class NotifyChannel {
  readonly #send: NotifySend;
  readonly #logger: Logger;
  readonly #queue: Pending[] = [];
  #running = false;
  #disabled = false;
  #idle: Promise<void> = Promise.resolve();
  #markIdle: () => void = () => undefined;
  #failures = 0;

  constructor(send: NotifySend, logger: Logger) {
    this.#send = send;
    this.#logger = logger;
  }

  /**
   * Queues a message; resolves once it (or the message it was merged into)
   * has been delivered or has failed. Failures are logged, never thrown: a
   * daemon must not stop working because systemd could not be told.
   */
  post(message: NotifyMessage): Promise<void> {
    if (this.#disabled) return Promise.resolve();
    const last = this.#queue.at(-1);
    // Two state changes never share a message: systemd would apply them in its own order, not ours.
    if (last && !(hasStateField(last.message) && hasStateField(message))) {
      Object.assign(last.message, message);
      return last.done;
    }
    const item = pending(message);
    this.#queue.push(item);
    if (!this.#running) this.#drain().catch((error: unknown) => this.#logger.warn('telling systemd failed', { err: error }));
    return item.done;
  }

  /** Resolves when nothing is queued or being sent. */
  idle(): Promise<void> {
    return this.#running ? this.#idle : Promise.resolve();
  }

  async #drain(): Promise<void> {
    this.#running = true;
    this.#idle = new Promise((resolve) => (this.#markIdle = resolve));
    for (let item = this.#queue.shift(); item; item = this.#queue.shift()) {
      await this.#deliver(item.message);
      item.resolve();
    }
    this.#running = false;
    this.#markIdle();
  }

  async #deliver(message: NotifyMessage): Promise<void> {
    if (this.#disabled) return;
    try {
      await this.#send(message);
      if (this.#failures > 0) this.#logger.info('systemd notifications work again', { failed: this.#failures });
      this.#failures = 0;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        this.#disabled = true;
        this.#queue.length = 0;
        this.#logger.warn(
          'systemd-notify is not installed, so systemd cannot see readiness, status or watchdog pings; install systemd (it ships the binary)',
        );
        return;
      }
      // One line for the first failure of a run of them, so a broken notify socket cannot flood the journal.
      if (this.#failures === 0) this.#logger.warn('telling systemd failed', { fields: Object.keys(message).join(','), err: messageOf(error) });
      this.#failures += 1;
    }
  }
}
