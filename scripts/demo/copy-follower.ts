import path from 'node:path';
import { formatBytes } from '../../src/core/byte-size.js';
import { ControlClient } from '../../src/control/control-client.js';
import { cacheEvent } from '../../src/control/contract/events.js';
import type { EventMessage } from '../../src/control/protocol.js';
import { DemoError } from './demo-error.js';
import type { Narrator } from './narrator.js';

/** `  done       168 MB  checkpoints/x.safetensors`: what happened, the size, the model, in columns. */
function line(what: string, bytes: number, key: string): string {
  return `  ${what.padEnd(9)}${formatBytes(bytes).padStart(8)}  ${key}`;
}

export interface FollowDeadlines {
  /** How long the first copy may take to be queued once the trigger happened. */
  readonly firstQueuedMs: number;
  /** How long all of them may take to finish. */
  readonly allDoneMs: number;
}

/**
 * Follows the daemon's `prefetch.*` events on a subscription opened before
 * the trigger, so that no event is missed: a line per queued, started and
 * finished copy, and on a terminal a live percentage line. Settles once every
 * queued copy has finished; a copy that fails for good fails the demo.
 */
export class CopyFollower {
  readonly #client: ControlClient;
  readonly #narrator: Narrator;
  readonly #queued = new Map<string, number>();
  readonly #done = new Set<string>();
  readonly #percent = new Map<string, number>();
  #failure?: DemoError;
  #wake?: () => void;

  private constructor(client: ControlClient, narrator: Narrator) {
    this.#client = client;
    this.#narrator = narrator;
  }

  static async open(socketPath: string, narrator: Narrator): Promise<CopyFollower> {
    const client = await ControlClient.connect(socketPath);
    const follower = new CopyFollower(client, narrator);
    client.onClose(() => follower.#fail(new DemoError('the daemon closed the event stream while models were being copied')));
    await client.subscribe(['prefetch'], (event) => follower.#receive(event));
    return follower;
  }

  /** Resolves with the keys copied once every queued copy is done. */
  async untilSettled(deadlines: FollowDeadlines): Promise<string[]> {
    const started = Date.now();
    try {
      for (;;) {
        if (this.#failure) throw this.#failure;
        const keys = [...this.#queued.keys()];
        if (keys.length > 0 && keys.every((key) => this.#done.has(key))) return keys;
        const elapsed = Date.now() - started;
        if (this.#queued.size === 0 && elapsed >= deadlines.firstQueuedMs) {
          throw new DemoError(`no copy was queued within ${deadlines.firstQueuedMs / 1000} s: the daemon did not act on the saved workflow`);
        }
        if (elapsed >= deadlines.allDoneMs) {
          throw new DemoError(`the copies did not finish within ${deadlines.allDoneMs / 1000} s (${this.#done.size} of ${this.#queued.size} done)`);
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 250);
          this.#wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    } finally {
      this.#narrator.status('');
    }
  }

  close(): void {
    this.#client.close();
  }

  #receive(message: EventMessage): void {
    // The demo subscribes to `prefetch`: the copies' events, and daemon.stopping, which is not a copy's.
    const parsed = cacheEvent.safeParse(message);
    if (!parsed.success) return;
    const event = parsed.data;
    switch (event.event) {
      case 'prefetch.queued':
        this.#queued.set(event.key, event.bytes);
        this.#narrator.say(line('queued', event.bytes, event.key));
        break;
      case 'prefetch.started':
        this.#percent.set(event.key, 0);
        this.#narrator.say(line('copying', this.#queued.get(event.key) ?? event.bytes, event.key));
        break;
      case 'prefetch.progress':
        this.#percent.set(event.key, event.percent);
        break;
      case 'prefetch.done': {
        this.#percent.delete(event.key);
        this.#done.add(event.key);
        const seconds = event.durationMs / 1000;
        const verified = event.sha256 === undefined ? '' : ', sha256 verified';
        this.#narrator.good(`${line('done', event.bytes, event.key)}  in ${seconds.toFixed(1)} s, ${formatBytes(event.bytesPerSecond)}/s${verified}`);
        break;
      }
      case 'prefetch.failed':
        if (event.retry) this.#narrator.say(`${line('retrying', this.#queued.get(event.key) ?? 0, event.key)}: ${event.message}`);
        else this.#fail(new DemoError(`copying ${event.key} failed: ${event.message}`));
        break;
      case 'cache.evicted':
        return;
    }
    this.#drawProgress();
    this.#wake?.();
  }

  #drawProgress(): void {
    const parts = [...this.#percent].map(([key, percent]) => `${path.posix.basename(key)} ${percent}%`);
    this.#narrator.status(parts.length > 0 ? `  … ${parts.join('  ·  ')}` : '');
  }

  #fail(error: DemoError): void {
    this.#failure ??= error;
    this.#wake?.();
  }
}
