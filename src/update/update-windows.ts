/**
 * The update windows as the daemon lives them: each window that opens
 * starts a run of every entry, and its closing pauses what still downloads
 * (the partial files resume in the next window). Announced in the log and
 * as `update.window` events.
 */
import { messageOf } from '../core/arena-error.js';
import { parseUpdateWindows, type UpdateWindow } from '../core/update-window.js';
import type { Logger } from '../log/logger.js';
import { PausedError } from './errors.js';
import type { UpdateClock } from './update-clock.js';
import type { UpdateReport, UpdatesStatus } from '../control/contract/update.js';
import type { UpdateEvent } from '../control/contract/events.js';
import { nextWindow, windowAt, type WindowSpan } from './window-calendar.js';
import { WindowScheduler } from './window-scheduler.js';

export interface UpdateWindowsOptions {
  readonly clock: UpdateClock;
  readonly logger: Logger;
  readonly emit: (event: UpdateEvent) => void;
  /** A run of every entry, for as long as `signal` is not aborted (the window stays open). */
  readonly run: (signal: AbortSignal) => Promise<UpdateReport>;
}

function iso(time: number): string {
  return new Date(time).toISOString();
}

function parseWindows(text: string): UpdateWindow[] {
  if (text.trim() === '') return [];
  const parsed = parseUpdateWindows(text);
  // The config format has validated the value already; a bad one here means no windows.
  return parsed.ok ? parsed.windows : [];
}

function spanView(span: WindowSpan | undefined): { opensAt: string; closesAt: string } | null {
  return span === undefined ? null : { opensAt: iso(span.opensAt), closesAt: iso(span.closesAt) };
}

/**
 * The windows of `updates.windows` around `now`, for status. From the
 * calendar, so that a one-shot arenactl (which schedules nothing) shows them too.
 */
export function windowsView(text: string, now: number): Pick<UpdatesStatus, 'windowOpen' | 'currentWindow' | 'nextWindow'> {
  const calendar = parseWindows(text);
  const current = windowAt(calendar, now);
  return {
    windowOpen: current !== undefined,
    currentWindow: spanView(current),
    nextWindow: spanView(nextWindow(calendar, current?.closesAt ?? now)),
  };
}

export class UpdateWindows {
  readonly #options: UpdateWindowsOptions;
  #scheduler: WindowScheduler | undefined;
  /** Whether the windows open at all: the daemon's do; a one-shot command's never start. */
  #started = false;
  #window: AbortController | undefined;
  #run: Promise<void> | undefined;

  constructor(options: UpdateWindowsOptions) {
    this.#options = options;
  }

  /** The run of the window open now or last, for a stop to wait for. */
  get run(): Promise<void> | undefined {
    return this.#run;
  }

  start(windows: string): void {
    this.#started = true;
    this.#schedule(windows);
  }

  /** Stops opening windows; a window open now stays open until the updater's stop pauses its run. */
  stop(): void {
    this.#started = false;
    this.#scheduler?.stop();
  }

  /** New `updates.windows` from a reload: the open window closes, the new ones take over at once. */
  reschedule(windows: string): void {
    if (!this.#started) return;
    this.#scheduler?.stop();
    this.#closeWindow();
    this.#schedule(windows);
  }

  #schedule(text: string): void {
    const windows = parseWindows(text);
    if (windows.length === 0) {
      this.#scheduler = undefined;
      return;
    }
    const scheduler = new WindowScheduler({
      windows,
      clock: this.#options.clock,
      onOpen: (span) => this.#open(span),
      onClose: (span) => this.#close(span),
    });
    this.#scheduler = scheduler;
    scheduler.start();
    const next = scheduler.next;
    if (next !== undefined && scheduler.current === undefined)
      this.#options.logger.info('next update window', { opensAt: iso(next.opensAt), closesAt: iso(next.closesAt) });
  }

  #open(span: WindowSpan): void {
    const { logger, emit, run } = this.#options;
    logger.info('update window open', { closesAt: iso(span.closesAt) });
    emit({ event: 'update.window', state: 'open', opensAt: iso(span.opensAt), closesAt: iso(span.closesAt) });
    const window = new AbortController();
    this.#window = window;
    this.#run = run(window.signal).then(
      (report) => {
        const count = (status: string) => report.entries.filter((entry) => entry.status === status).length;
        logger.info('update window run done', { updated: count('updated'), available: count('available'), errors: count('error') });
      },
      (error: unknown) => logger.warn('the update window run failed', { err: messageOf(error) }),
    );
  }

  #close(span: WindowSpan): void {
    const next = this.#scheduler?.next;
    this.#options.logger.info('update window closed', { nextOpensAt: next ? iso(next.opensAt) : 'none' });
    this.#options.emit({ event: 'update.window', state: 'closed', opensAt: iso(span.opensAt), closesAt: iso(span.closesAt) });
    this.#closeWindow();
  }

  #closeWindow(): void {
    this.#window?.abort(new PausedError('the update window closed', 0));
    this.#window = undefined;
  }
}
