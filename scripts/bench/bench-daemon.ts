/**
 * A real arenad for the benchmarks: the TypeScript source run through tsx, as
 * test/helpers/daemon-process.ts runs it (or a compiled build, for memory
 * figures), with its own HOME so that every default path (state, socket,
 * cache) lands in the bench's temp folder.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { requestDaemon } from '../../src/cli/daemon-request.js';
import type { CommandName, CommandResult, RequestArgs } from '../../src/control/contract/commands.js';
import type { StatusResult } from '../../src/control/contract/daemon.js';
import { DAEMON_ENVIRONMENT, DAEMON_NODE_FLAGS } from '../../src/service/node-flags.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const daemonEntry = path.join(repoRoot, 'src', 'daemon', 'main.ts');
/** Resolved here: the daemon runs in a temp folder where `tsx` cannot be found by name. */
const tsxLoader = import.meta.resolve('tsx');

export interface BenchDaemon {
  readonly pid: number;
  readonly socketPath: string;
  request<Name extends CommandName>(cmd: Name, ...args: RequestArgs<Name>): Promise<CommandResult<Name>>;
  /** Polls `status` until the predicate holds; rejects after timeoutMs with the daemon's output. */
  waitForStatus(predicate: (status: StatusResult) => boolean, what: string, timeoutMs?: number): Promise<StatusResult>;
  /** Resident set size in bytes, from /proc/<pid>/status (Linux only). */
  rssBytes(): number;
  /** Peak resident set size so far (VmHWM), in bytes. */
  peakRssBytes(): number;
  /** The anonymous part of the resident set (RssAnon): the heaps, without the mapped binary and libraries. */
  anonRssBytes(): number;
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited within 10 s. */
  stop(): Promise<void>;
}

export interface BenchDaemonOptions {
  /** HOME, and the root of every default path. */
  readonly home: string;
  /** ARENA_* settings on top of the bench defaults (no metrics listener, an unreachable ComfyUI URL). */
  readonly env?: NodeJS.ProcessEnv;
  /** A compiled `daemon/main.js` (see compiled-daemon.ts) to run instead of the source through tsx. */
  readonly compiledEntry?: string;
}

export async function startDaemon(options: BenchDaemonOptions): Promise<BenchDaemon> {
  const socketPath = path.join(options.home, 'run', 'arenad.sock');
  // With the flags it ships with, so that memory is measured as users will see it.
  const argv =
    options.compiledEntry === undefined ? [...DAEMON_NODE_FLAGS, '--import', tsxLoader, daemonEntry] : [...DAEMON_NODE_FLAGS, options.compiledEntry];
  const child = spawn(process.execPath, argv, {
    cwd: options.home,
    env: {
      PATH: process.env.PATH,
      HOME: options.home,
      ARENA_SOCKET: socketPath,
      ARENA_METRICS_LISTEN: 'off',
      // Nothing listens on port 9: the queue watcher backs off quietly, as with ComfyUI stopped.
      ARENA_COMFY_URL: 'http://127.0.0.1:9',
      ...DAEMON_ENVIRONMENT,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-200_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let running = true;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      running = false;
      resolve();
    }),
  );

  const procStatus = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
    if (match === null) throw new Error(`no ${field} in /proc/${child.pid}/status`);
    return Number(match[1]) * 1024;
  };
  const daemon: BenchDaemon = {
    pid: child.pid!,
    socketPath,
    request: (cmd, ...args) => requestDaemon(socketPath, cmd, ...args),
    async waitForStatus(predicate, what, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (!running) throw new Error(`arenad exited while waiting for ${what}:\n${output}`);
        try {
          const status = await requestDaemon(socketPath, 'status');
          if (predicate(status)) return status;
        } catch {
          // Not listening yet.
        }
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; arenad output:\n${output}`);
        await sleep(50);
      }
    },
    rssBytes: () => procStatus('VmRSS'),
    peakRssBytes: () => procStatus('VmHWM'),
    anonRssBytes: () => procStatus('RssAnon'),
    output: () => output,
    async stop() {
      if (!running) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  try {
    const deadline = Date.now() + 30_000;
    while (!existsSync(socketPath)) {
      if (!running || Date.now() > deadline) throw new Error(`arenad did not open its socket ${socketPath}:\n${output}`);
      await sleep(20);
    }
  } catch (error) {
    await daemon.stop();
    throw error;
  }
  return daemon;
}
