import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';
import { ControlClient } from '../../src/control/control-client.js';
import type { CommandName, CommandResult, RequestArgs } from '../../src/control/contract/commands.js';
import type { StatusResult } from '../../src/control/contract/daemon.js';
import { eventually } from './raw-socket.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const daemonEntry = path.join(repoRoot, 'src', 'daemon', 'main.ts');
/** Resolved here, because the child runs in a temp folder where `tsx` cannot be found by name. */
const tsxLoader = import.meta.resolve('tsx');

export interface DaemonHandle {
  readonly process: ChildProcess;
  readonly pid: number;
  readonly socketPath: string;
  readonly home: string;
  /** Everything the daemon wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code once the process ends. */
  readonly exited: Promise<number | null>;
  status(): Promise<StatusResult>;
  /** One command of the socket contract on a fresh connection, typed by it. */
  request<Name extends CommandName>(cmd: Name, ...args: RequestArgs<Name>): Promise<CommandResult<Name>>;
  /** Any command by name, its result as sent: for the test hooks outside the contract. */
  send(cmd: string, args?: Record<string, unknown>): Promise<unknown>;
  waitForState(predicate: (status: StatusResult) => boolean, what: string, timeoutMs?: number): Promise<StatusResult>;
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  signal(name: NodeJS.Signals): void;
}

export interface DaemonSpawnOptions {
  /** HOME and the root of every default path. */
  readonly home: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly args?: readonly string[];
  /** Wait until the socket answers (default true). */
  readonly waitForSocket?: boolean;
}

/**
 * Runs the real arenad (TypeScript source through tsx) as a child process
 * with its own HOME, so every default path lands in the test's temp folder.
 * The process is killed when the test ends.
 */
export async function spawnDaemon(t: ExecutionContext, options: DaemonSpawnOptions): Promise<DaemonHandle> {
  const socketPath = options.env?.ARENA_SOCKET ?? path.join(options.home, 'run', 'arenad.sock');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: options.home,
    ARENA_SOCKET: socketPath,
    ARENA_METRICS_LISTEN: 'off',
    ARENA_LOG_LEVEL: 'debug',
    ...options.env,
  };
  const child = spawn(process.execPath, ['--import', tsxLoader, daemonEntry, ...(options.args ?? [])], {
    cwd: options.home,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let running = true;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running = false;
      resolve(code);
    }),
  );
  t.teardown(async () => {
    if (running) {
      child.kill('SIGKILL');
      await exited;
    }
  });

  const connected = async <T>(ask: (client: ControlClient) => Promise<T>): Promise<T> => {
    const client = await ControlClient.connect(socketPath);
    try {
      return await ask(client);
    } finally {
      client.close();
    }
  };
  const handle: DaemonHandle = {
    process: child,
    pid: child.pid!,
    socketPath,
    home: options.home,
    output: () => output,
    exited,
    status: () => connected((client) => client.request('status')),
    request: (cmd, ...args) => connected((client) => client.request(cmd, ...args)),
    send: (cmd, args) => connected((client) => client.send(cmd, args)),
    async waitForState(predicate, what, timeoutMs = 60_000) {
      let last: StatusResult | undefined;
      await eventually(
        async () => {
          try {
            last = await handle.status();
            return predicate(last);
          } catch {
            return false;
          }
        },
        timeoutMs,
        () => `${what} (daemon output:\n${output})`,
      );
      return last!;
    },
    async waitForOutput(pattern, timeoutMs = 60_000) {
      await eventually(
        () => pattern.test(output),
        timeoutMs,
        () => `output matching ${pattern} (got:\n${output})`,
      );
    },
    signal(name) {
      child.kill(name);
    },
  };
  if (options.waitForSocket !== false) {
    await eventually(
      () => !running || fs.existsSync(socketPath),
      60_000,
      () => `the socket ${socketPath}:\n${output}`,
    );
    if (!running) throw new Error(`arenad exited early:\n${output}`);
    await handle.waitForState((status) => status.state !== 'starting', 'the daemon to finish starting');
  }
  return handle;
}
