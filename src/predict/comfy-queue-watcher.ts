/**
 * Watches ComfyUI's queue over its HTTP API: a prompt waiting in the queue
 * is a sighting (its models are needed soon), a prompt that runs is a run.
 *
 * Polling is the mechanism. ComfyUI's websocket only pushes `status` messages
 * to clients that did not queue the prompt (its `execution_*` events go to
 * the client that did), so a watcher would have to poll `/queue` on each of
 * them anyway; and Node 20 has no global WebSocket.
 *
 * ComfyUI is optional: while it is down, polls back off (to `maxIntervalMs`)
 * and the change is logged once each way, never once per poll.
 */
import { EventEmitter } from 'node:events';
import { parseWorkflowValue, WorkflowError, type ParsedWorkflow } from '../core/workflow/index.js';
import type { Logger } from '../log/logger.js';
import { readQueueAnswer, type QueueEntry, type QueueSnapshot } from './comfy-queue.js';
import { ComfyUrlError } from './errors.js';
import { describeFetchFailure } from '../core/fetch-failure.js';
import { runIdOf } from './run-id.js';
import type { RunDeduper } from './run-deduper.js';
import type { RunSighting, WorkflowSighting } from './sightings.js';

export const COMFY_QUEUE_DEFAULTS = {
  intervalMs: 2_000,
  maxIntervalMs: 30_000,
  timeoutMs: 5_000,
} as const;

export type FetchFunction = (url: string, init: { signal: AbortSignal; headers: Record<string, string> }) => Promise<Response>;

export interface ComfyQueueWatcherOptions {
  /** ComfyUI's address, e.g. `http://127.0.0.1:8188`. */
  readonly url: string;
  readonly logger: Logger;
  /** The poll interval while ComfyUI answers. */
  readonly intervalMs?: number;
  /** The longest wait between polls while it does not. */
  readonly maxIntervalMs?: number;
  /** How long one request may take. */
  readonly timeoutMs?: number;
  /** The built-in fetch, unless a test stands in for it. */
  readonly fetch?: FetchFunction;
  /** Shared with the output watcher so that a run seen in both counts once. */
  readonly deduper?: RunDeduper;
  readonly now?: () => number;
}

export interface ComfyQueueStatus {
  /** null until the first poll has answered or failed. */
  readonly reachable: boolean | null;
  readonly url: string;
  /** Why ComfyUI is not reachable: "ComfyUI not reachable at http://127.0.0.1:8188 (connection refused)". */
  readonly error?: string;
  /** ms since epoch when `reachable` took its current value. */
  readonly since?: number;
}

export interface ComfyQueueWatcherEvents {
  sighting: [WorkflowSighting];
  run: [RunSighting];
  reachability: [ComfyQueueStatus];
}

export class ComfyQueueWatcher extends EventEmitter<ComfyQueueWatcherEvents> {
  readonly url: string;
  private readonly queueUrl: string;
  private readonly logger: Logger;
  private readonly intervalMs: number;
  private readonly maxIntervalMs: number;
  private readonly timeoutMs: number;
  private readonly fetch: FetchFunction;
  private readonly deduper: RunDeduper | undefined;
  private readonly now: () => number;
  private current: ComfyQueueStatus;
  /** Failed polls in a row; each doubles the wait before the next. */
  private failures = 0;
  /** Prompt ids already announced, kept while they are in the queue (an id never comes back once gone). */
  private readonly queuedSeen = new Set<string>();
  private readonly runningSeen = new Set<string>();
  private readonly malformedSeen = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private inFlight: AbortController | undefined;
  private started = false;
  private stopped = false;

  constructor(options: ComfyQueueWatcherOptions) {
    super();
    this.url = options.url.replace(/\/+$/, '');
    this.queueUrl = queueUrlOf(options.url);
    this.logger = options.logger.child({ module: 'predict', source: 'queue' });
    this.intervalMs = options.intervalMs ?? COMFY_QUEUE_DEFAULTS.intervalMs;
    this.maxIntervalMs = Math.max(this.intervalMs, options.maxIntervalMs ?? COMFY_QUEUE_DEFAULTS.maxIntervalMs);
    this.timeoutMs = options.timeoutMs ?? COMFY_QUEUE_DEFAULTS.timeoutMs;
    this.fetch = options.fetch ?? ((url, init) => fetch(url, init));
    this.deduper = options.deduper;
    this.now = options.now ?? Date.now;
    this.current = { reachable: null, url: this.url };
  }

  /** Polls at once, then every `intervalMs`. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.schedule(0);
  }

  /** Stops polling and abandons a request in flight. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.inFlight?.abort();
    await this.polling;
  }

  /** Polls now (or waits for the poll in progress), then carries on at the usual pace. */
  async pollNow(): Promise<void> {
    if (this.stopped) return;
    if (this.polling !== undefined) return this.polling;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.tick();
  }

  status(): ComfyQueueStatus {
    return this.current;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // A failed request is recorded by the poll itself; the catch is the net for anything it did not foresee.
      void this.tick().catch((error: unknown) => this.logger.error('polling the ComfyUI queue failed', { err: error }));
    }, delayMs);
    // The daemon is kept alive by its socket; a poll must not hold a one-shot command open.
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.polling = this.poll();
    try {
      await this.polling;
    } finally {
      this.polling = undefined;
    }
    if (this.started) this.schedule(this.nextDelay());
  }

  private nextDelay(): number {
    if (this.failures === 0) return this.intervalMs;
    return Math.min(this.maxIntervalMs, this.intervalMs * 2 ** (this.failures - 1));
  }

  private async poll(): Promise<void> {
    const answer = await this.request();
    if (this.stopped || answer === undefined) return;
    const snapshot = readQueueAnswer(answer);
    if (snapshot === undefined) {
      this.markUnreachable('the answer is not a ComfyUI queue');
      return;
    }
    this.markReachable();
    this.apply(snapshot);
  }

  /** The parsed JSON answer, or undefined when the request failed (which is then recorded). */
  private async request(): Promise<unknown> {
    const controller = new AbortController();
    this.inFlight = controller;
    try {
      const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(this.timeoutMs)]);
      const response = await this.fetch(this.queueUrl, { signal, headers: { accept: 'application/json' } });
      const text = await response.text();
      if (!response.ok) return this.markUnreachable(`HTTP ${response.status}`);
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return this.markUnreachable('the answer is not JSON');
      }
    } catch (error) {
      if (!this.stopped) this.markUnreachable(describeFetchFailure(error, this.timeoutMs));
      return undefined;
    } finally {
      this.inFlight = undefined;
    }
  }

  private markUnreachable(reason: string): undefined {
    this.failures += 1;
    const error = `ComfyUI not reachable at ${this.url} (${reason})`;
    if (this.current.reachable === false) {
      if (this.current.error !== error) this.logger.debug('ComfyUI still not reachable', { reason });
      this.current = { ...this.current, error };
      return undefined;
    }
    this.current = { reachable: false, url: this.url, error, since: this.now() };
    this.logger.info(`${error}; queue watching will resume when it answers`);
    this.emit('reachability', this.current);
    return undefined;
  }

  private markReachable(): void {
    this.failures = 0;
    if (this.current.reachable === true) return;
    const again = this.current.reachable === false;
    this.current = { reachable: true, url: this.url, since: this.now() };
    this.logger.info(again ? `ComfyUI is reachable again at ${this.url}` : `watching the ComfyUI queue at ${this.url}`);
    this.emit('reachability', this.current);
  }

  private apply(snapshot: QueueSnapshot): void {
    for (const line of snapshot.malformed) {
      if (!this.malformedSeen.has(line)) this.logger.debug('skipped a malformed queue item', { item: line });
    }
    replaceWith(this.malformedSeen, snapshot.malformed);
    for (const entry of snapshot.running) {
      if (this.runningSeen.has(entry.promptId)) continue;
      this.runningSeen.add(entry.promptId);
      this.announceRun(entry);
    }
    for (const entry of snapshot.pending) {
      if (this.queuedSeen.has(entry.promptId)) continue;
      this.queuedSeen.add(entry.promptId);
      const workflow = this.parse(entry);
      if (workflow === undefined) continue;
      this.emit('sighting', { kind: 'prompt-queued', origin: `prompt ${entry.promptId}`, workflow, at: this.now(), promptId: entry.promptId });
    }
    const present = [...snapshot.running, ...snapshot.pending].map((entry) => entry.promptId);
    retainOnly(this.runningSeen, present);
    retainOnly(this.queuedSeen, present);
  }

  private announceRun(entry: QueueEntry): void {
    const workflow = this.parse(entry);
    if (workflow === undefined) return;
    const runId = runIdOf(entry.prompt);
    const firstSeen = this.now();
    const seen = this.deduper?.observe(runId, firstSeen) ?? { first: true, startedAt: firstSeen };
    if (!seen.first) {
      this.logger.debug('running prompt of a run already counted', { promptId: entry.promptId, runId });
      return;
    }
    this.emit('run', {
      kind: 'prompt-running',
      runId,
      origin: `prompt ${entry.promptId}`,
      workflow,
      startedAt: seen.startedAt,
      at: firstSeen,
      promptId: entry.promptId,
    });
  }

  private parse(entry: QueueEntry): ParsedWorkflow | undefined {
    try {
      return parseWorkflowValue(entry.prompt);
    } catch (error) {
      if (!(error instanceof WorkflowError)) throw error;
      this.logger.debug('skipped a queued prompt that is not a workflow', { promptId: entry.promptId, reason: error.message });
      return undefined;
    }
  }
}

/** `<url>/queue`, keeping a path prefix (ComfyUI behind a reverse proxy at `/comfy/`). */
function queueUrlOf(url: string): string {
  let base: URL;
  try {
    base = new URL(url.endsWith('/') ? url : `${url}/`);
  } catch (error) {
    throw new ComfyUrlError(url, { cause: error });
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new ComfyUrlError(url);
  return new URL('queue', base).href;
}

function retainOnly(set: Set<string>, keep: readonly string[]): void {
  const wanted = new Set(keep);
  for (const item of set) if (!wanted.has(item)) set.delete(item);
}

function replaceWith(set: Set<string>, items: readonly string[]): void {
  set.clear();
  for (const item of items) set.add(item);
}
