import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { ControlClient } from '../../src/control/control-client.js';
import type { StatusResult } from '../../src/control/contract/daemon.js';
import { DemoError } from './demo-error.js';
import { nodeArgsFor } from './entry-points.js';
import type { Sandbox } from './sandbox.js';

const STOP_GRACE_MS = 15_000;
const POLL_MS = 200;

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export function describeExit(exit: Exit): string {
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

/** arenad as a child process of the demo, its log in the sandbox (shown only when something fails). */
export class DaemonChild {
  readonly #child: ChildProcess;
  readonly #sandbox: Sandbox;
  #exit?: Exit;
  readonly exited: Promise<Exit>;

  private constructor(child: ChildProcess, sandbox: Sandbox) {
    this.#child = child;
    this.#sandbox = sandbox;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#exit = { code, signal };
        resolve(this.#exit);
      });
    });
  }

  /** `extraArgs` go to arenad as they are (flags such as `--prefetch.verify size`). */
  static start(sandbox: Sandbox, extraArgs: readonly string[]): DaemonChild {
    const log = openSync(sandbox.daemonLog, 'a');
    try {
      const child = spawn(process.execPath, [...nodeArgsFor('arenad'), ...extraArgs], {
        cwd: sandbox.root,
        env: sandbox.env,
        stdio: ['ignore', log, log],
      });
      return new DaemonChild(child, sandbox);
    } finally {
      // The child holds its own copy of the descriptor.
      closeSync(log);
    }
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get running(): boolean {
    return this.#exit === undefined;
  }

  /**
   * Polls `status` until the daemon says ready and its library holds the
   * demo's models. Fails at once if the daemon exits, and with its last
   * state when the deadline passes.
   */
  async waitUntilReady(models: number, timeoutMs: number): Promise<StatusResult> {
    const deadline = Date.now() + timeoutMs;
    let last: StatusResult | undefined;
    while (Date.now() < deadline) {
      if (this.#exit) throw new DemoError(`arenad ${describeExit(this.#exit)} before it was ready`);
      // A starting daemon does not answer yet: keep polling; the deadline's message says nothing answered.
      last = await this.#status().catch(() => undefined);
      if (last?.state === 'ready' && last.library.models >= models) return last;
      await sleep(POLL_MS);
    }
    const seen = last
      ? `state ${last.state}, ${last.library.models} of ${models} models${last.problems.length > 0 ? `; ${last.problems.join('; ')}` : ''}`
      : `nothing answered on ${this.#sandbox.socket}`;
    throw new DemoError(`arenad was not ready after ${timeoutMs / 1000} s (${seen})`);
  }

  /** SIGTERM, as a service manager stops it; SIGKILL if it has not ended after a grace period. */
  async stop(): Promise<Exit> {
    if (this.#exit) return this.#exit;
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), STOP_GRACE_MS);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  async logTail(lines: number): Promise<string> {
    const text = await readFile(this.#sandbox.daemonLog, 'utf8').catch(() => '');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  }

  async #status(): Promise<StatusResult> {
    const client = await ControlClient.connect(this.#sandbox.socket, 2000);
    try {
      return await client.request('status');
    } finally {
      client.close();
    }
  }
}
