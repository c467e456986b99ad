import { setTimeout as sleep } from 'node:timers/promises';
import { requestDaemon } from '../../src/cli/daemon-request.js';
import type { CommandName, CommandResult, RequestArgs } from '../../src/control/contract/commands.js';
import { runArenactl } from './arenactl-child.js';
import { DaemonChild, describeExit, type Exit } from './daemon-child.js';
import { DemoError } from './demo-error.js';
import type { Narrator } from './narrator.js';
import type { Sandbox } from './sandbox.js';

/** What the steps of the demo share: the sandbox, the narration, the daemon, and ways to talk to it. */
export class DemoSession {
  readonly sandbox: Sandbox;
  readonly narrator: Narrator;
  readonly #daemonArgs: readonly string[];
  #daemon?: DaemonChild;
  #interrupted = false;

  constructor(sandbox: Sandbox, narrator: Narrator, daemonArgs: readonly string[]) {
    this.sandbox = sandbox;
    this.narrator = narrator;
    this.#daemonArgs = daemonArgs;
  }

  get daemon(): DaemonChild {
    if (!this.#daemon) throw new DemoError('arenad has not been started yet');
    return this.#daemon;
  }

  /** After Ctrl-C, no new process starts and no wait goes on; the steps under way end with an error. */
  interrupt(): void {
    this.#interrupted = true;
  }

  startDaemon(): DaemonChild {
    this.throwIfInterrupted();
    this.#daemon = DaemonChild.start(this.sandbox, this.#daemonArgs);
    return this.#daemon;
  }

  /** Stops the daemon if it runs; safe to call at any point. */
  async stopDaemon(): Promise<Exit | undefined> {
    return this.#daemon?.stop();
  }

  /** The end of arenad's log, or nothing when it never started. */
  async daemonLogTail(lines: number): Promise<string> {
    return this.#daemon ? this.#daemon.logTail(lines) : '';
  }

  /** Shows the command, runs the real arenactl, shows its output; a failing command fails the demo. */
  async arenactl(...args: string[]): Promise<void> {
    this.throwIfInterrupted();
    this.narrator.command(`arenactl ${args.join(' ')}`);
    const run = await runArenactl(this.sandbox, args);
    if (run.text) this.narrator.output(run.text);
    if (run.code !== 0) {
      const reason = run.text.trim().split('\n').at(-1) ?? '';
      throw new DemoError(`arenactl ${args.join(' ')} exited with code ${run.code}${reason ? `: ${reason}` : ''}`);
    }
  }

  /** One request on the control socket, for the waits between steps (not shown). */
  request<Name extends CommandName>(cmd: Name, ...args: RequestArgs<Name>): Promise<CommandResult<Name>> {
    return requestDaemon(this.sandbox.socket, cmd, ...args);
  }

  /** Polls a condition; fails with `what` once the deadline passes or the daemon has gone. */
  async waitFor(what: string, timeoutMs: number, condition: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.throwIfInterrupted();
      if (this.#daemon && !this.#daemon.running) {
        throw new DemoError(`arenad ${describeExit(await this.#daemon.exited)} while the demo waited for ${what}`);
      }
      if (await condition().catch(() => false)) return;
      if (Date.now() >= deadline) throw new DemoError(`${what} did not happen within ${timeoutMs / 1000} s`);
      await sleep(200);
    }
  }

  /** For steps that work on the sandbox themselves: after Ctrl-C it is being removed, and must not be recreated. */
  throwIfInterrupted(): void {
    if (this.#interrupted) throw new DemoError('interrupted');
  }
}
