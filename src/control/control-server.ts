import fs from 'node:fs/promises';
import net from 'node:net';
import { ArenaError, messageOf } from '../core/arena-error.js';
import type { ErrorCode } from '../core/error-codes.js';
import { redactJson } from '../log/redact.js';
import type { Logger } from '../log/logger.js';
import { describeZodError, type CommandContext, type CommandRegistry } from './command-registry.js';
import { LineSplitter, type SplitItem } from './line-splitter.js';
import type { ArenaEvent } from './contract/events.js';
import { MAX_LINE_BYTES, requestEnvelope, type EventMessage, type Reply, type RequestId } from './protocol.js';
import { prepareSocketPath } from './socket-path.js';

/**
 * Every limit of the socket, so that no client, slow or hostile, can grow
 * the daemon's memory or take its file handles (docs/security.md).
 */
export interface ControlLimits {
  /** Open connections in all; past it the longest-idle one makes room, or the newcomer is refused with E_BUSY. */
  readonly maxConnections: number;
  /** A client that has not sent one whole line by then is closed (it holds a handle and says nothing). */
  readonly firstLineTimeoutMs: number;
  /** A connection with nothing in flight and no subscription is closed after this long. */
  readonly idleTimeoutMs: number;
  /** Requests of one connection handled at once; the rest wait, unread, in the kernel's buffer. */
  readonly maxInFlight: number;
  /** Replies written but not yet read by the client: past this, its requests are not read. */
  readonly maxPendingReplyBytes: number;
  /** A client that stays past maxPendingReplyBytes this long is dropped. */
  readonly replyStallMs: number;
  /** A subscriber that lets this much pile up unread is dropped rather than grow the daemon's memory. */
  readonly maxPendingEventBytes: number;
}

export const CONTROL_LIMITS: ControlLimits = {
  // arenactl opens one connection a command and ComfyUI's nodes a few; 1100 idle ones used to exhaust the file handles.
  maxConnections: 256,
  firstLineTimeoutMs: 10_000,
  idleTimeoutMs: 2 * 60_000,
  maxInFlight: 16,
  maxPendingReplyBytes: 1024 * 1024,
  replyStallMs: 30_000,
  maxPendingEventBytes: 8 * 1024 * 1024,
};

export interface ControlServerOptions {
  readonly socketPath: string;
  readonly registry: CommandRegistry;
  readonly logger: Logger;
  readonly uid: number;
  readonly limits?: Partial<ControlLimits>;
}

interface Connection {
  readonly socket: net.Socket;
  readonly abort: AbortController;
  readonly splitter: LineSplitter;
  inFlight: number;
  streaming: boolean;
  /** It has sent at least one whole line. */
  spoken: boolean;
  /** When it last sent a line or was answered (ms since epoch): the longest idle makes room first. */
  lastActive: number;
  /** Lines read but not handled yet, because the connection is at its limits. */
  backlog: SplitItem[];
  /** Set while its unread replies are past the limit: it is dropped if they stay so. */
  stallTimer?: NodeJS.Timeout;
}

/**
 * The NDJSON server behind `arenactl` and the ComfyUI nodes. Nothing a client
 * sends can close the server or crash the daemon: every line gets a reply of
 * the fixed shape, and a bad line leaves the connection usable.
 */
export class ControlServer {
  readonly #options: ControlServerOptions;
  readonly #limits: ControlLimits;
  readonly #server: net.Server;
  readonly #connections = new Set<Connection>();
  #stopping = false;
  /** Only a server that bound the path may remove it: a refused start must not delete another daemon's socket. */
  #bound = false;

  constructor(options: ControlServerOptions) {
    this.#options = options;
    this.#limits = { ...CONTROL_LIMITS, ...options.limits };
    this.#server = net.createServer((socket) => this.#accept(socket));
    this.#server.on('error', (error) => this.#options.logger.error('control socket error', { err: error }));
  }

  get socketPath(): string {
    return this.#options.socketPath;
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  async listen(): Promise<void> {
    const { socketPath, uid, logger } = this.#options;
    await prepareSocketPath(socketPath, uid, logger);
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.#server.once('error', onError);
      this.#server.listen(socketPath, () => {
        this.#server.off('error', onError);
        this.#bound = true;
        resolve();
      });
    });
    // The folder is already 0700; this keeps the socket itself private too.
    await fs.chmod(socketPath, 0o600);
  }

  /** Stops accepting, lets replies in flight finish (up to graceMs), tells subscribers, then closes. */
  async close(graceMs = 5000): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    if (!this.#bound) return;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    const deadline = Date.now() + graceMs;
    while ([...this.#connections].some((c) => c.inFlight > 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const stopping: ArenaEvent = { event: 'daemon.stopping' };
    for (const connection of this.#connections) {
      if (connection.streaming) this.#write(connection, stopping);
      connection.abort.abort();
      connection.socket.end();
    }
    const forceTimer = setTimeout(() => {
      for (const connection of this.#connections) connection.socket.destroy();
    }, 1000);
    await closed;
    clearTimeout(forceTimer);
    await fs.rm(this.#options.socketPath, { force: true });
  }

  #accept(socket: net.Socket): void {
    if (this.#connections.size >= this.#limits.maxConnections && !this.#makeRoom()) {
      const message = `the daemon has ${this.#limits.maxConnections} connections open, all busy, its limit; try again in a moment`;
      socket.on('error', () => socket.destroy());
      // Nothing reads this socket, so it would never see the client leave: close it once the answer is out.
      socket.end(`${JSON.stringify({ id: null, ok: false, error: { code: 'E_BUSY', message } })}\n`, () => socket.destroy());
      this.#options.logger.warn('refused a control connection: too many open', { limit: this.#limits.maxConnections });
      return;
    }
    const connection: Connection = {
      socket,
      abort: new AbortController(),
      splitter: new LineSplitter(MAX_LINE_BYTES),
      inFlight: 0,
      streaming: false,
      spoken: false,
      lastActive: Date.now(),
      backlog: [],
    };
    this.#connections.add(connection);
    socket.setTimeout(this.#limits.firstLineTimeoutMs, () => {
      if (connection.inFlight === 0 && !connection.streaming) socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => {
      connection.backlog.push(...connection.splitter.push(chunk));
      this.#drain(connection);
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      clearTimeout(connection.stallTimer);
      connection.backlog = [];
      connection.abort.abort();
      this.#connections.delete(connection);
    });
  }

  /** At the connection limit: closes the connection idle the longest, if one is idle at all. */
  #makeRoom(): boolean {
    let oldest: Connection | undefined;
    for (const connection of this.#connections) {
      if (connection.inFlight > 0 || connection.streaming || connection.backlog.length > 0) continue;
      if (oldest === undefined || connection.lastActive < oldest.lastActive) oldest = connection;
    }
    if (oldest === undefined) return false;
    this.#connections.delete(oldest);
    oldest.socket.destroy();
    return true;
  }

  /**
   * Handles the lines a connection sent, as far as its limits allow. Past
   * them, the socket stops being read, so that the requests of a client that
   * does not read its replies wait in the kernel's buffer, not in the
   * daemon's memory; its replies drain, or it is dropped.
   */
  #drain(connection: Connection): void {
    const { socket } = connection;
    while (connection.backlog.length > 0 && !socket.destroyed) {
      if (connection.inFlight >= this.#limits.maxInFlight) return this.#hold(connection);
      if (socket.writableLength > this.#limits.maxPendingReplyBytes) return this.#holdUntilRead(connection);
      const item = connection.backlog.shift()!;
      this.#markActive(connection);
      if (item.kind === 'too-large') {
        this.#reply(connection, null, {
          code: 'E_TOO_LARGE',
          message: `a request line is limited to ${MAX_LINE_BYTES} bytes; this one was longer and was dropped`,
        });
      } else {
        // #handleLine answers every failure it expects; the catch is the net for a reply or a drain that throws.
        void this.#handleLine(connection, item.line)
          .finally(() => this.#drain(connection))
          .catch((error: unknown) => this.#options.logger.error('handling a control request failed', { err: error }));
      }
    }
    if (socket.isPaused() && !socket.destroyed) socket.resume();
  }

  #hold(connection: Connection): void {
    connection.socket.pause();
  }

  #holdUntilRead(connection: Connection): void {
    const { socket } = connection;
    socket.pause();
    if (connection.stallTimer !== undefined) return;
    connection.stallTimer = setTimeout(() => {
      this.#options.logger.warn('dropping a control client that stopped reading its replies', { pendingBytes: socket.writableLength });
      socket.destroy();
    }, this.#limits.replyStallMs);
    socket.once('drain', () => {
      clearTimeout(connection.stallTimer);
      connection.stallTimer = undefined;
      this.#drain(connection);
    });
  }

  /** A connection that spoke once gets the longer idle timeout. */
  #markActive(connection: Connection): void {
    connection.lastActive = Date.now();
    if (connection.spoken) return;
    connection.spoken = true;
    connection.socket.setTimeout(this.#limits.idleTimeoutMs);
  }

  async #handleLine(connection: Connection, line: Buffer): Promise<void> {
    const text = line.toString('utf8').trim();
    if (text === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      this.#reply(connection, null, { code: 'E_PARSE', message: `the line is not valid JSON: ${messageOf(error)}` });
      return;
    }
    const envelope = requestEnvelope.safeParse(parsed);
    const id = idOf(parsed);
    if (!envelope.success) {
      this.#reply(connection, id, {
        code: 'E_REQUEST',
        message: `a request is {"id", "cmd", "args"}: ${describeZodError(envelope.error, 'request')}`,
      });
      return;
    }
    const { cmd, args = {} } = envelope.data;
    if (this.#stopping) {
      this.#reply(connection, id, { code: 'E_SHUTTING_DOWN', message: 'the daemon is stopping' });
      return;
    }
    const command = this.#options.registry.get(cmd);
    if (!command) {
      this.#reply(connection, id, {
        code: 'E_UNKNOWN_COMMAND',
        message: `unknown command "${cmd}"; this daemon knows: ${this.#options.registry.names().join(', ')}`,
      });
      return;
    }
    const checked = command.args.safeParse(args);
    if (!checked.success) {
      this.#reply(connection, id, { code: 'E_ARGS', message: `${cmd}: ${describeZodError(checked.error, 'args')}` });
      return;
    }
    connection.inFlight += 1;
    try {
      const result = await command.run(checked.data, this.#contextFor(connection));
      connection.lastActive = Date.now();
      this.#reply(connection, id, undefined, result);
    } catch (error) {
      if (error instanceof ArenaError) {
        this.#reply(connection, id, { code: error.code, message: error.message });
      } else {
        this.#options.logger.error('command failed unexpectedly', { cmd, err: error });
        this.#reply(connection, id, { code: 'E_INTERNAL', message: `internal error in ${cmd}: ${messageOf(error)}` });
      }
    } finally {
      connection.inFlight -= 1;
    }
  }

  #contextFor(connection: Connection): CommandContext {
    return {
      signal: connection.abort.signal,
      keepOpen: () => {
        connection.streaming = true;
      },
      push: (event: EventMessage) => {
        if (connection.socket.destroyed) return false;
        if (connection.socket.writableLength > this.#limits.maxPendingEventBytes) {
          this.#options.logger.warn('dropping a subscriber that stopped reading its events');
          connection.socket.destroy();
          return false;
        }
        return this.#write(connection, event);
      },
    };
  }

  #reply(connection: Connection, id: RequestId, error?: { code: ErrorCode; message: string }, result?: unknown): void {
    const reply: Reply = error ? { id, ok: false, error: { code: error.code, message: error.message } } : { id, ok: true, result: result ?? null };
    if (!this.#write(connection, reply) && !error && !connection.socket.destroyed) {
      this.#write(connection, { id, ok: false, error: { code: 'E_INTERNAL', message: 'the result could not be encoded as JSON' } });
    }
  }

  /**
   * Writes one line; false when the value cannot be encoded or the client is
   * gone. Every reply and event passes here, so this is where secrets are
   * taken out of what leaves the daemon over the socket: a hub that echoes a
   * token into an error, a token in a path, never reach a socket user.
   */
  #write(connection: Connection, message: Reply | EventMessage): boolean {
    if (connection.socket.destroyed || !connection.socket.writable) return false;
    let line: string;
    try {
      line = `${JSON.stringify(redactJson(message))}\n`;
    } catch {
      return false;
    }
    connection.socket.write(line);
    return true;
  }
}

/** The request's id when it has a usable one, so even a rejected request is answered under its id. */
function idOf(value: unknown): RequestId {
  if (typeof value !== 'object' || value === null || !('id' in value)) return null;
  const id = value.id;
  return typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)) ? id : null;
}
