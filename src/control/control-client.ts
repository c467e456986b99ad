import net from 'node:net';
import { ArenaError } from '../core/arena-error.js';
import { isErrorCode } from '../core/error-codes.js';
import type { CommandName, CommandResult, RequestArgs } from './contract/commands.js';
import type { HelloResult } from './contract/daemon.js';
import { LineSplitter } from './line-splitter.js';
import { PROTOCOL_VERSION, eventEnvelope, replyEnvelope, type EventMessage } from './protocol.js';

/** Replies such as `ls` on a big cache may exceed the request limit; accept them. */
const MAX_REPLY_BYTES = 64 * 1024 * 1024;

/** Nothing answers on the socket: the daemon is not running (exit code 3 in arenactl). */
export class DaemonUnreachableError extends ArenaError {
  readonly socketPath: string;

  constructor(socketPath: string, reason: string, options?: { cause?: unknown }) {
    super('E_UNREACHABLE', `arenad is not running: nothing answers on ${socketPath} (${reason})`, options);
    this.name = 'DaemonUnreachableError';
    this.socketPath = socketPath;
  }
}

/**
 * The daemon answered with an error reply; `code` is the daemon's. A code
 * this version does not know (a newer daemon's) becomes E_UNKNOWN, and the
 * message keeps it, so nothing the daemon said is lost.
 */
export class RemoteError extends ArenaError {
  constructor(code: string, message: string) {
    super(isErrorCode(code) ? code : 'E_UNKNOWN', isErrorCode(code) ? message : `${message} (${code})`);
    this.name = 'RemoteError';
  }
}

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
}

export class ControlClient {
  readonly #socket: net.Socket;
  readonly #pending = new Map<number, Pending>();
  readonly #eventListeners = new Set<(event: EventMessage) => void>();
  readonly #closeListeners = new Set<() => void>();
  #nextId = 1;

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    const splitter = new LineSplitter(MAX_REPLY_BYTES);
    socket.on('data', (chunk: Buffer) => {
      for (const item of splitter.push(chunk)) {
        if (item.kind === 'line') this.#receive(item.line.toString('utf8'));
      }
    });
    socket.on('close', () => {
      for (const pending of this.#pending.values()) pending.reject(new RemoteError('E_CLOSED', 'the daemon closed the connection'));
      this.#pending.clear();
      for (const listener of this.#closeListeners) listener();
    });
    socket.on('error', () => socket.destroy());
  }

  static connect(socketPath: string, timeoutMs = 5000): Promise<ControlClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(socketPath);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new DaemonUnreachableError(socketPath, `no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new ControlClient(socket));
      });
      socket.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        if (error.code === 'EACCES') {
          reject(
            new ArenaError(
              'E_PERMISSION',
              `permission denied on ${socketPath}: the daemon runs, but this user may not use its socket; join the socket's group (control.socketGroup, e.g. sudo usermod -aG arena $USER) and log in again`,
              { cause: error },
            ),
          );
          return;
        }
        const reason = error.code === 'ENOENT' ? 'no socket there' : error.code === 'ECONNREFUSED' ? 'connection refused' : error.message;
        reject(new DaemonUnreachableError(socketPath, reason, { cause: error }));
      });
    });
  }

  /**
   * One command of the contract, with its arguments and result typed by it
   * (control/contract/). The result is what the daemon sent, not checked
   * again here: daemon and client come from one package, and a test holds
   * every handler's result to its schema.
   */
  async request<Name extends CommandName>(cmd: Name, ...[args]: RequestArgs<Name>): Promise<CommandResult<Name>> {
    // The one place where a reply becomes its command's result type.
    return (await this.send(cmd, args ?? {})) as CommandResult<Name>;
  }

  /** Any request, by name, its result as sent: request() for the contract's commands, this for others (test hooks). */
  send(cmd: string, args: object = {}): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise<unknown>((resolve, reject) => {
      if (this.#socket.destroyed) {
        reject(new RemoteError('E_CLOSED', 'the connection to the daemon is closed'));
        return;
      }
      this.#pending.set(id, { resolve, reject });
      this.#socket.write(`${JSON.stringify({ id, cmd, args })}\n`);
    });
  }

  hello(): Promise<HelloResult> {
    return this.request('hello', { protocol: PROTOCOL_VERSION });
  }

  /**
   * Subscribes to topics; event lines arrive through onEvent until close(),
   * as sent. contract/events.ts `readEvent` reads them as typed events.
   */
  async subscribe(topics: readonly string[], onEvent: (event: EventMessage) => void): Promise<void> {
    this.#eventListeners.add(onEvent);
    await this.request('subscribe', { topics: [...topics] });
  }

  onClose(listener: () => void): void {
    this.#closeListeners.add(listener);
  }

  close(): void {
    this.#socket.end();
  }

  #receive(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      // Not a line of the protocol: nothing waits for it, and the next line may be fine.
      return;
    }
    const event = eventEnvelope.safeParse(message);
    if (event.success) {
      for (const listener of this.#eventListeners) listener(event.data);
      return;
    }
    const reply = replyEnvelope.safeParse(message);
    if (!reply.success || typeof reply.data.id !== 'number') return;
    const pending = this.#pending.get(reply.data.id);
    if (!pending) return;
    this.#pending.delete(reply.data.id);
    if (reply.data.ok) pending.resolve(reply.data.result);
    else pending.reject(new RemoteError(reply.data.error.code, reply.data.error.message));
  }
}
