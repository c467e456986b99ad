import net from 'node:net';
import { ArenaError } from '../core/arena-error.js';
import { LineSplitter } from './line-splitter.js';
import { PROTOCOL_VERSION, type EventMessage, type HelloResult, type Reply } from './protocol.js';

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

/** The daemon answered with an error reply; `code` is the daemon's. */
export class RemoteError extends ArenaError {
  constructor(code: string, message: string) {
    super(code, message);
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
        const reason =
          error.code === 'ENOENT' ? 'no socket there' : error.code === 'ECONNREFUSED' ? 'connection refused' : error.message;
        reject(new DaemonUnreachableError(socketPath, reason, { cause: error }));
      });
    });
  }

  request<T = unknown>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      if (this.#socket.destroyed) {
        reject(new RemoteError('E_CLOSED', 'the connection to the daemon is closed'));
        return;
      }
      this.#pending.set(id, { resolve: (result) => resolve(result as T), reject });
      this.#socket.write(`${JSON.stringify({ id, cmd, args })}\n`);
    });
  }

  hello(): Promise<HelloResult> {
    return this.request<HelloResult>('hello', { protocol: PROTOCOL_VERSION });
  }

  /** Subscribes to topics; events arrive through onEvent until close(). */
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
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    if ('event' in message && typeof (message as EventMessage).event === 'string') {
      for (const listener of this.#eventListeners) listener(message as EventMessage);
      return;
    }
    const reply = message as Reply;
    if (typeof reply.id !== 'number') return;
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    if (reply.ok) pending.resolve(reply.result);
    else pending.reject(new RemoteError(reply.error.code, reply.error.message));
  }
}
